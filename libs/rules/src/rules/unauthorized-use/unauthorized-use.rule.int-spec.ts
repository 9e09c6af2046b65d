import { describeRuleFixtures } from '../../testing/describe-rule';
import fixtures from './fixtures/unauthorized-use.fixtures';
import rule from './unauthorized-use.rule';

describeRuleFixtures(rule, fixtures);
