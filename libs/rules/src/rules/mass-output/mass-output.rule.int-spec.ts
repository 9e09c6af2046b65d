import { describeRuleFixtures } from '../../testing/describe-rule';
import fixtures from './fixtures/mass-output.fixtures';
import rule from './mass-output.rule';

describeRuleFixtures(rule, fixtures);
