import { describeRuleFixtures } from '../../testing/describe-rule';
import fixtures from './fixtures/unexplained-access.fixtures';
import rule from './unexplained-access.rule';

describeRuleFixtures(rule, fixtures);
