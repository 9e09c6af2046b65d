import { describeRuleFixtures } from '../../testing/describe-rule';
import fixtures from './fixtures/audit-log-cleared.fixtures';
import rule from './audit-log-cleared.rule';

describeRuleFixtures(rule, fixtures);
