import type { IncomingMessage, ServerResponse } from 'node:http';
import { parse } from 'lossless-json';
import { BadRequest, fusionTimestamp, type Row, type StampUnits } from './attributes';
import { type Projection, serializeItem } from './expand';
import type { FaultConfig, FaultInjector } from './faults';
import type { JournalGenerator } from './generator';
import { HttpError, readBody, send } from './http';
import type {
  JournalBatchPatch,
  JournalHeaderPatch,
  JournalLinePatch,
  JournalStore,
  NewJournal,
} from './journals';
import { childNode, type ResourceNode } from './resource';
import type { NewRow, RowPath, TreeStore } from './tree-store';

/** What the control routes reach of the simulator (FusionSimulator has it; no import back). */
export interface ControlledSimulator {
  readonly journals: JournalStore;
  readonly generator: JournalGenerator | undefined;
  readonly invoices: TreeStore;
  readonly purchaseOrders: TreeStore;
  readonly suppliers: TreeStore;
  readonly faults: FaultInjector;
  readonly stats: unknown;
  readonly stampUnits: StampUnits;
  flatJournalLines(): Row[];
  revokeTokens(): void;
}

// Test control endpoints under /__sim/ (not part of Fusion; the connector never calls them).
// Rows are addressed here by primary-key values, never by UniqIDs:
//   /__sim/invoices/{InvoiceId}/invoiceLines/{LineNumber}/invoiceDistributions/{InvoiceDistributionId}

function fullProjection(node: ResourceNode): Projection {
  return {
    attributes: null,
    children: new Map(node.children.map((c) => [c.name, fullProjection(c)])),
  };
}

/** A row with all its descendants as nested arrays, without links. */
function tree(sim: ControlledSimulator, node: ResourceNode, row: Row): Row {
  return serializeItem(node, row, '', fullProjection(node), {
    frameworkVersion: 1,
    onlyData: true,
    childLimit: Number.POSITIVE_INFINITY,
    stampUnitMs: sim.stampUnits.servedMs,
  });
}

/** The resource node a primary-key path (`[id, child, id, …]`) ends in. */
function nodeAt(root: ResourceNode, path: RowPath): ResourceNode {
  let node = root;
  for (let i = 1; i < path.length; i += 2) {
    const next = childNode(node, String(path[i]));
    if (!next) throw new BadRequest(`${node.name} has no child ${path[i]}`, 'SIM-404');
    node = next;
  }
  return node;
}

function treeStore(sim: ControlledSimulator, name: string): TreeStore | undefined {
  if (name === 'invoices') return sim.invoices;
  if (name === 'purchaseOrders') return sim.purchaseOrders;
  if (name === 'suppliers') return sim.suppliers;
  return undefined;
}

/** A JSON body; lossless keeps amounts exact for the tree stores. */
function parseBody<T>(body: string, lossless = false): T {
  try {
    return (lossless ? parse(body) : JSON.parse(body)) as T;
  } catch (err) {
    throw new BadRequest(`Invalid JSON body: ${(err as Error).message}`);
  }
}

export async function handleControl(
  sim: ControlledSimulator,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
): Promise<void> {
  const parts = url.pathname.split('/').filter(Boolean).slice(1).map(decodeURIComponent);
  const [first = '', ...rest] = parts;
  const route = `${req.method} ${first}`;
  const text = async () => (await readBody(req)) || '{}';
  switch (route) {
    case 'POST journals': {
      if (rest[0] === 'bulk') {
        const { journal, count } = parseBody<{ journal: NewJournal; count: number }>(await text());
        const imported = sim.journals.importJournals(journal, count);
        return send(res, 201, {
          JeBatchIds: imported.JeBatchIds,
          LastUpdateDate: fusionTimestamp(imported.LastUpdateDate, sim.stampUnits.servedMs),
        });
      }
      return send(res, 201, sim.journals.createJournal(parseBody<NewJournal>(await text())));
    }
    case 'PATCH journalHeaders': {
      const header = sim.journals.updateHeader(Number(rest[0]), parseBody<JournalHeaderPatch>(await text()));
      return send(res, 200, {
        LastUpdateDate: fusionTimestamp(header.LastUpdateDate as number, sim.stampUnits.servedMs),
      });
    }
    case 'PATCH journalBatches': {
      const batch = sim.journals.updateBatch(Number(rest[0]), parseBody<JournalBatchPatch>(await text()));
      return send(res, 200, {
        LastUpdateDate: fusionTimestamp(batch.LastUpdateDate as number, sim.stampUnits.servedMs),
      });
    }
    case 'PATCH journalLines': {
      const [headerId, lineNumber] = rest;
      const patch = parseBody<JournalLinePatch>(await text());
      const line = sim.journals.updateLine(Number(headerId), Number(lineNumber), patch);
      return send(res, 200, {
        LastUpdateDate: fusionTimestamp(line.LastUpdateDate as number, sim.stampUnits.servedMs),
      });
    }
    case 'GET journalLines':
      return send(res, 200, { items: sim.flatJournalLines() });
    case 'GET generated': {
      const index = Number(rest[1]);
      if (!sim.generator || rest[0] !== 'journalLines' || !(index >= 0 && index < sim.generator.lineCount))
        throw new HttpError(404, 'No such generated journal line');
      return send(res, 200, sim.generator.lineAt(index));
    }
    case 'POST revoke-tokens':
      sim.revokeTokens();
      return send(res, 200, { revoked: true });
    case 'GET stats':
      return send(res, 200, sim.stats);
    case 'GET faults':
      return send(res, 200, sim.faults.active());
    case 'POST faults':
      sim.faults.set(parseBody<FaultConfig>(await text()));
      return send(res, 200, sim.faults.active());
    case 'DELETE faults':
      sim.faults.clear();
      return send(res, 200, {});
  }
  const store = treeStore(sim, first);
  if (!store) throw new HttpError(404, `Unknown control route ${route}`);
  const path: RowPath = rest;
  if (req.method === 'GET' && path.length === 0) {
    return send(res, 200, { items: store.top.map((row) => tree(sim, store.node, row)) });
  }
  if (req.method === 'POST') {
    const values = parseBody<NewRow>(await text(), true);
    if (path.length === 0) return send(res, 201, tree(sim, store.node, store.create(values)));
    const parentPath = path.slice(0, -1);
    const childName = String(path[path.length - 1]);
    const row = store.create(values, parentPath, childName);
    return send(res, 201, tree(sim, nodeAt(store.node, [...path, '']), row));
  }
  if (req.method === 'PATCH' && path.length > 0) {
    const row = store.update(path, parseBody<NewRow>(await text(), true));
    return send(res, 200, tree(sim, nodeAt(store.node, path), row));
  }
  throw new HttpError(404, `Unknown control route ${req.method} ${url.pathname}`);
}
