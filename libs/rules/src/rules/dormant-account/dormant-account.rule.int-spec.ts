import { describeRuleFixtures } from '../../testing/describe-rule';
import fixtures from './fixtures/dormant-account.fixtures';
import rule from './dormant-account.rule';

describeRuleFixtures(rule, fixtures);
