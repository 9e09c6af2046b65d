import { describeRuleFixtures } from '../../testing/describe-rule';
import fixtures from './fixtures/unused-account.fixtures';
import rule from './unused-account.rule';

describeRuleFixtures(rule, fixtures);
