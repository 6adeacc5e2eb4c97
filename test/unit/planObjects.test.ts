import assert from 'node:assert/strict';
import { test } from 'node:test';
import { planObjects, type ObjectRules } from '../../src/engine/objects/planObjects.js';
import { objectKey, viewBody, type SchemaObject } from '../../src/engine/objects/schemaObject.js';
import { createObjectSql } from '../../src/engine/objects/objectDdl.js';
import { readRemoteStatement } from '../../src/remote/remoteStatement.js';

/** The three-way plan of views, macros and sequences against the object baseline (README table). */

const rules: ObjectRules = {
  localCatalog: 'local',
  remoteCatalog: 'cloud',
  pull: true,
  push: true,
  pushes: () => false,
  excluded: () => false,
  remoteSequences: true,
};

const view = (name: string, body: string, schema = 'main'): SchemaObject => ({ kind: 'view', schema, name, definition: ` AS ${body}`, comment: null, next: null });
const sequence = (name: string, next: string): SchemaObject => ({
  kind: 'sequence',
  schema: 'main',
  name,
  definition: JSON.stringify({ increment: '1', min: '1', max: '9223372036854775807', cycle: false }),
  comment: null,
  next,
});
const plan = (remote: SchemaObject[], local: SchemaObject[], baseline: Array<[SchemaObject, string]> = [], r: Partial<ObjectRules> = {}): string[] =>
  planObjects(remote, local, new Map(baseline.map(([o, d]) => [objectKey(o), d])), { ...rules, ...r }).map((c) => `${c.side} ${c.action} ${c.name}`);

test('new on the cloud: created locally; new locally: left alone unless pushObjects names it', () => {
  assert.deepEqual(plan([view('v', 'SELECT 1')], []), ['local create v']);
  assert.deepEqual(plan([], [view('mine', 'SELECT 1')]), []);
  assert.deepEqual(plan([], [view('mine', 'SELECT 1')], [], { pushes: (n) => n === 'mine' }), ['remote create mine']);
  assert.deepEqual(plan([], [view('mine', 'SELECT 1')], [], { pushes: () => true, push: false }), []);
  assert.deepEqual(plan([view('v', 'SELECT 1')], [], [], { pull: false }), []);
});

test('a DuckLake remote holds no sequences: a pushed sequence stays local and the plan says so once; views still go', () => {
  const lake = { pushes: () => true, remoteSequences: false };
  assert.deepEqual(plan([], [sequence('ids', '5'), view('mine', 'SELECT 1')], [], lake), ['local differs ids', 'remote create mine']);
  const said = planObjects([], [sequence('ids', '5')], new Map(), { ...rules, ...lake });
  assert.match(said[0]?.detail ?? '', /DuckLake database holds no sequences/);
});

test('changed on one side follows that side; changed on both (or never synced) is reported and the local kept', () => {
  const old = ' AS SELECT 1';
  assert.deepEqual(plan([view('v', 'SELECT 2')], [view('v', 'SELECT 1')], [[view('v', ''), old]]), ['local replace v']);
  assert.deepEqual(plan([view('v', 'SELECT 1')], [view('v', 'SELECT 2')], [[view('v', ''), old]]), []);
  assert.deepEqual(plan([view('v', 'SELECT 1')], [view('v', 'SELECT 2')], [[view('v', ''), old]], { pushes: () => true }), ['remote replace v']);
  assert.deepEqual(plan([view('v', 'SELECT 3')], [view('v', 'SELECT 2')], [[view('v', ''), old]]), ['local differs v']);
  assert.deepEqual(plan([view('v', 'SELECT 3')], [view('v', 'SELECT 2')]), ['local differs v']);
});

test('excluded objects are left out on both sides', () => {
  assert.deepEqual(plan([view('v', 'SELECT 1', 'reporting')], [view('w', 'SELECT 1')], [], { excluded: (n) => n === 'reporting.v' || n === 'w', pushes: () => true }), []);
});

test('a sequence behind the other side is advanced to its next value', () => {
  const changes = planObjects([sequence('ids', '110')], [sequence('ids', '103')], new Map(), rules);
  assert.deepEqual(changes.map((c) => [c.side, c.action, c.sql]), [['local', 'advance', `SELECT max(nextval('"local"."main"."ids"')) FROM range(7)`]]);
  assert.deepEqual(plan([sequence('ids', '103')], [sequence('ids', '110')]), ['remote advance ids']);
  assert.deepEqual(plan([sequence('ids', '103')], [sequence('ids', '110')], [], { push: false }), []);
  assert.equal(createObjectSql('local', sequence('ids', '110')), 'CREATE SEQUENCE IF NOT EXISTS "local"."main"."ids" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START 110 NO CYCLE');
});

test("a view's text is compared and re-created after its name, whatever the name's quoting", () => {
  assert.equal(viewBody('CREATE VIEW "S x"."v w" (c1, c2) AS SELECT 1, 2;'), ' (c1, c2) AS SELECT 1, 2');
  assert.equal(viewBody('CREATE VIEW s2.v2 AS SELECT id FROM main.v1 WHERE (x > 1);'), ' AS SELECT id FROM main.v1 WHERE (x > 1)');
  assert.equal(createObjectSql('cloud', view('v2', 'SELECT 1', 's2')), 'CREATE OR REPLACE VIEW "cloud"."s2"."v2" AS SELECT 1');
  const macro: SchemaObject = {
    kind: 'table macro',
    schema: 'main',
    name: 'over',
    definition: JSON.stringify([{ parameters: ['n'], types: [null], body: 'SELECT * FROM t WHERE (x > n)' }]),
    comment: null,
    next: null,
  };
  assert.equal(createObjectSql('local', macro), 'CREATE OR REPLACE MACRO "local"."main"."over"("n") AS TABLE SELECT * FROM t WHERE (x > n)');
});

test("creating a view on the remote is not a write that reads local tables (its query binds in the remote's catalog)", () => {
  const s = readRemoteStatement('CREATE OR REPLACE VIEW "cloud"."main"."v" AS SELECT * FROM "main"."t"', 'cloud');
  assert.equal(s?.write, 'ddl');
  assert.equal(s?.readsLocal, false);
});
