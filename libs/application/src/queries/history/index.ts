import { HistoryHandler } from './history.query.js';
import { LiveHistory } from './live-history.js';

export { compileHistoryFilter, type HistoryFilter } from './history-filter.js';
export { HistoryQuery, type HistoryPage, type HistoryPageRequest } from './history.query.js';
export { LiveHistory, type HistoryFeed } from './live-history.js';

/** The history's query handler and live feed (register them where the QueryBus is). */
export const HISTORY_PROVIDERS = [HistoryHandler, LiveHistory];
