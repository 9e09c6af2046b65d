import { describeRuleFixtures } from '../../testing/describe-rule';
import fixtures from './fixtures/absentee-activity.fixtures';
import rule from './absentee-activity.rule';

describeRuleFixtures(rule, fixtures);
