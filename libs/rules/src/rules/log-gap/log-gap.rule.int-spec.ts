import { describeRuleFixtures } from '../../testing/describe-rule';
import fixtures from './fixtures/log-gap.fixtures';
import rule from './log-gap.rule';

describeRuleFixtures(rule, fixtures);
