import { describeRuleFixtures } from '../../testing/describe-rule';
import fixtures from './fixtures/mass-lookup.fixtures';
import rule from './mass-lookup.rule';

describeRuleFixtures(rule, fixtures);
