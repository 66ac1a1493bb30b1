import { Agent, request } from 'undici';
import { EXPANDED_PAGE_SIZE, expandParam, windowFilter } from '../src/fusion/documents';
import { journalLinesReader } from '../src/fusion/entities/journalLines';
import { type KeysetPosition, keysetRequest, nextPosition, START_OF_WINDOW } from '../src/fusion/paging';

// The paging limit: the same requests the connector makes for a journal-lines window (keyset q
// with the child-change filter, orderBy, expand, onlyData, the same page size and expanded-page cap) from a minimal undici loop
// that only fetches and JSON.parses. Run as its own process, like the worker, so the simulator
// (in the benchmark's process) and the client do not share one event loop.
//
//   node --import tsx bench/raw-paging.ts '<json RawPagingInput>'   → prints one JSON line

export interface RawPagingInput {
  simUrl: string;
  clientId: string;
  clientSecret: string;
  scope: string;
  window: { from: string; to: string };
  pageSize: number;
  frameworkVersion: number;
}

export interface RawPagingResult {
  /** Parents asked for per request: the page size, capped as the connector caps expanded pages. */
  limit: number;
  lines: number;
  batches: number;
  pages: number;
  bytes: number;
  seconds: number;
}

type Json = Record<string, unknown>;

async function token(input: RawPagingInput, agent: Agent): Promise<string> {
  const res = await request(`${input.simUrl}/oauth2/v1/token`, {
    method: 'POST',
    dispatcher: agent,
    headers: {
      authorization: `Basic ${Buffer.from(`${input.clientId}:${input.clientSecret}`).toString('base64')}`,
      'content-type': 'application/x-www-form-urlencoded',
    },
    body: new URLSearchParams({ grant_type: 'client_credentials', scope: input.scope }).toString(),
  });
  const body = (await res.body.json()) as { access_token?: string };
  if (!body.access_token) throw new Error(`token endpoint answered ${res.statusCode}`);
  return body.access_token;
}

export async function rawPaging(input: RawPagingInput): Promise<RawPagingResult> {
  const agent = new Agent({ connections: 2 });
  try {
    const bearer = await token(input, agent);
    const spec = journalLinesReader.spec;
    const filter = windowFilter(spec, input.window, true);
    const url = `${input.simUrl}/fscmRestApi/resources/11.13.18.05/${spec.resource}`;
    let position: KeysetPosition = START_OF_WINDOW;
    const limit = Math.min(input.pageSize, EXPANDED_PAGE_SIZE);
    const result: RawPagingResult = { limit, lines: 0, batches: 0, pages: 0, bytes: 0, seconds: 0 };
    const started = performance.now();
    for (;;) {
      const u = new URL(url);
      const { q, orderBy } = keysetRequest(filter, spec.key, position);
      u.searchParams.set('orderBy', orderBy);
      u.searchParams.set('expand', expandParam(spec.children));
      u.searchParams.set('onlyData', 'true');
      u.searchParams.set('q', q);
      u.searchParams.set('limit', String(limit));
      u.searchParams.set('offset', '0');
      const res = await request(u, {
        dispatcher: agent,
        headers: {
          authorization: `Bearer ${bearer}`,
          accept: 'application/json',
          'rest-framework-version': String(input.frameworkVersion),
        },
      });
      const text = await res.body.text();
      if (res.statusCode !== 200) throw new Error(`HTTP ${res.statusCode}: ${text.slice(0, 300)}`);
      const page = JSON.parse(text) as { items: Json[]; hasMore: boolean };
      result.pages++;
      result.bytes += Buffer.byteLength(text);
      // The same keyset steps as the connector (rows of a page's last stamp are read again).
      const step = nextPosition(spec.key, position, page.items, page.hasMore, 'raw paging');
      for (const batch of page.items.slice(0, step.final)) {
        result.batches++;
        for (const header of (batch.journalHeaders as { items: Json[] }).items) {
          result.lines += (header.journalLines as { items: Json[] }).items.length;
        }
      }
      if (!step.next) break;
      position = step.next;
    }
    result.seconds = (performance.now() - started) / 1000;
    return result;
  } finally {
    await agent.close();
  }
}

if (require.main === module) {
  rawPaging(JSON.parse(process.argv[2] ?? '{}') as RawPagingInput).then(
    (result) => console.log(JSON.stringify(result)),
    (err) => {
      console.error(err);
      process.exit(1);
    },
  );
}
