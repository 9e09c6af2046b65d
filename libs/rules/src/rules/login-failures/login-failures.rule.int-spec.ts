import { describeRuleFixtures } from '../../testing/describe-rule';
import fixtures from './fixtures/login-failures.fixtures';
import rule from './login-failures.rule';

describeRuleFixtures(rule, fixtures);
