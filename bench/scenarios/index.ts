import type { Scenario } from '../lib/types.js';
import { fullSyncScenario } from './fullSync.js';
import { incrementalSyncScenario } from './incrementalSync.js';
import { libraryWriteScenario } from './libraryWrite.js';
import { manyTablesScenario } from './manyTables.js';
import { partialReplicaScenario } from './partialReplica.js';
import { scaleScenario } from './scale.js';
import { watchScenario } from './watch.js';

/** Every scenario, in the order `npm run bench` runs them. Add new ones here. */
export const SCENARIOS: readonly Scenario[] = [fullSyncScenario, incrementalSyncScenario, libraryWriteScenario, manyTablesScenario, scaleScenario, partialReplicaScenario, watchScenario];
