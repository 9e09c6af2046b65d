import { describeRuleFixtures } from '../../testing/describe-rule';
import fixtures from './fixtures/missing-reason.fixtures';
import rule from './missing-reason.rule';

describeRuleFixtures(rule, fixtures);
