import { describeRuleFixtures } from '../../testing/describe-rule';
import fixtures from './fixtures/watchlist-access.fixtures';
import rule from './watchlist-access.rule';

describeRuleFixtures(rule, fixtures);
