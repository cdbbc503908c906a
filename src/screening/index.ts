// Public surface of the screening module.
export { importListFile, loadListsFromDataDir, defaultListName } from './import.js';
export type { ImportOptions, ImportReport, DataDirImport } from './import.js';
export { createScreeningService, loadScreeningIndex, screenPerson, ScreeningIndexHolder } from './service.js';
export type { ScreeningService } from './service.js';
export { ScreeningIndex, ScreeningIndexBuilder } from './matcher.js';
export type { IndexEntry, ListSummary } from './matcher.js';
export { listLists } from './store.js';
export { toAlpha2 } from './countries.js';
export type * from './types.js';
