import { describeRuleFixtures } from '../../testing/describe-rule';
import fixtures from './fixtures/self-lookup.fixtures';
import rule from './self-lookup.rule';

describeRuleFixtures(rule, fixtures);
