import { describeRuleFixtures } from '../../testing/describe-rule';
import fixtures from './fixtures/external-media.fixtures';
import rule from './external-media.rule';

describeRuleFixtures(rule, fixtures);
