import { describeRuleFixtures } from '../../testing/describe-rule';
import fixtures from './fixtures/off-hours.fixtures';
import rule from './off-hours.rule';

describeRuleFixtures(rule, fixtures);
