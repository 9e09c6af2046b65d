import { describeRuleFixtures } from '../../testing/describe-rule';
import fixtures from './fixtures/concurrent-sessions.fixtures';
import rule from './concurrent-sessions.rule';

describeRuleFixtures(rule, fixtures);
