import { createHash } from 'node:crypto';
import { log } from '@temporalio/activity';
import { type Alert, sendAlert } from '../alerts';
import { AckParseError, type AckSet, parseAcknowledgement } from '../formats/x12/acknowledgement';
import type { AckFileRecord, AckGroupResult, AckOutcome } from '../ledger';
import { fetchRemoteFiles, listRemoteFolder } from '../sftp';
import type { AcknowledgementPoll } from '../shared';
import type { ActivityDeps } from './deps';
import { typedFailures } from './failures';

// X12 acknowledgements: the partner's 997/999 files read from the configured folder (read only,
// same connection settings and host-key pin as delivery), recorded once each in the ledger, and
// alerts on a rejection, an unmatched acknowledgement, or a delivered file with none in time.

function setCodes(s: AckSet): Record<string, unknown> {
  return {
    ...(s.codes.length ? { set: s.codes } : {}),
    ...(s.segmentErrors.length
      ? {
          segments: s.segmentErrors.map((e) => ({
            segment: e.segmentId,
            position: e.position,
            code: e.code,
            elements: e.elements.map((el) => ({ position: el.position, code: el.code })),
          })),
        }
      : {}),
  };
}

/** Every code of an outcome, flat: `AK5 5`, `AK3 PO1@6 8`, `AK4 4 1`, `AK9 5`, for alerts. */
export function codeSummary(o: AckOutcome): string {
  const c = o.codes as {
    set?: string[];
    segments?: {
      segment: string;
      position: string;
      code: string;
      elements: { position: string; code: string }[];
    }[];
    group?: string[];
  };
  const parts = [
    ...(c.set ?? []).map((x) => `set ${x}`),
    ...(c.segments ?? []).flatMap((s) => [
      `segment ${s.segment}@${s.position}${s.code ? ` ${s.code}` : ''}`,
      ...s.elements.map((e) => `element ${e.position} ${e.code}`),
    ]),
    ...(c.group ?? []).map((x) => `group ${x}`),
  ];
  return parts.join(', ') || 'none';
}

export function createAcknowledgementActivities(deps: ActivityDeps) {
  const { ledger } = deps;
  const alert = async (a: Omit<Alert, 'at'>) => {
    const outcomes = await sendAlert(deps.alertSinks, { ...a, at: new Date().toISOString() });
    for (const o of outcomes)
      if (!o.ok) log.error('Alert not delivered', { sink: o.sink, error: o.error.message });
  };
  return {
    /**
     * Reads the new acknowledgement files of an X12 integration (at most maxFilesPerPoll, each at
     * most maxFileBytes), records them, and alerts on rejections, unmatched acknowledgements and
     * files with no acknowledgement within expectWithinHours. Returns at once for an integration
     * without `sftp.acknowledgements`.
     */
    async collectAcknowledgements(input: { integrationId: string }): Promise<AcknowledgementPoll> {
      return typedFailures(async () => {
        const rt = deps.integration(input.integrationId);
        const cfg = rt.config.sftp.acknowledgements;
        const poll: AcknowledgementPoll = { read: 0, rejected: 0, unmatched: 0, late: 0 };
        if (!cfg) return poll;
        const settings = rt.sftp;
        const listed = await listRemoteFolder({ ...settings, folder: cfg.folder });
        const seen = listed.map((e) => ({
          integrationId: input.integrationId,
          remoteName: e.name,
          byteCount: e.size,
          mtime: e.modifiedAt,
        }));
        const known = await ledger.knownAckFiles(seen);
        const fresh = listed.filter((e) => !known.has(e.name)).slice(0, cfg.maxFilesPerPoll);
        const fetched = fresh.length
          ? await fetchRemoteFiles(settings, cfg.folder, fresh, cfg.maxFileBytes)
          : [];
        for (const f of fetched) {
          const entry = fresh.find((e) => e.name === f.name)!;
          const base = { integrationId: input.integrationId, remoteName: f.name, mtime: entry.modifiedAt };
          let record: AckFileRecord;
          if ('tooLarge' in f) {
            record = {
              ...base,
              byteCount: entry.size,
              sha256: null,
              kind: null,
              isa13: null,
              outcome: 'too-large',
              error: `${f.tooLarge} bytes exceeds maxFileBytes ${cfg.maxFileBytes}`,
              groups: [],
            };
          } else {
            const sha256 = createHash('sha256').update(f.bytes).digest('hex');
            try {
              const ack = parseAcknowledgement(f.name, f.bytes);
              const groups: AckGroupResult[] = ack.groups.map((g) => ({
                functionalId: g.functionalId,
                groupControlNumber: g.groupControlNumber,
                status: g.status,
                codes: {},
                sets: g.sets.map((s) => ({
                  setId: s.setId,
                  controlNumber: s.controlNumber,
                  status: s.status,
                  codes: setCodes(s),
                })),
              }));
              // Group codes (AK9-05..) ride on each row of the group.
              ack.groups.forEach((g, i) => {
                groups[i]!.codes = g.codes as unknown as Record<string, unknown>;
              });
              record = {
                ...base,
                byteCount: entry.size,
                sha256,
                kind: ack.kind,
                isa13: ack.interchangeControlNumber,
                outcome: 'read',
                error: null,
                groups,
              };
            } catch (err) {
              if (!(err instanceof AckParseError)) throw err;
              record = {
                ...base,
                byteCount: entry.size,
                sha256,
                kind: null,
                isa13: null,
                outcome: 'malformed',
                error: err.message,
                groups: [],
              };
            }
          }
          const outcomes = await ledger.recordAckFile(record);
          if (outcomes === null) continue; // recorded meanwhile by another poll
          poll.read++;
          if (record.outcome !== 'read') {
            await alert({
              severity: 'warning',
              integrationId: input.integrationId,
              title: `Acknowledgement ${f.name} could not be read`,
              text: record.error ?? '',
              fields: { ackFile: f.name, folder: cfg.folder },
            });
            continue;
          }
          for (const o of outcomes) {
            const set = o.setControlNumber
              ? `${o.setId} ${o.setControlNumber}`
              : `group ${o.groupControlNumber}`;
            if (o.fileId === null) {
              poll.unmatched++;
              await alert({
                severity: 'warning',
                integrationId: input.integrationId,
                title: `Acknowledgement for an unknown file (${o.functionalId} GS06 ${o.groupControlNumber})`,
                text: `${f.name} acknowledges ${set}, which matches no delivered file; recorded as unmatched.`,
                fields: { ackFile: f.name, status: o.status, codes: codeSummary(o) },
              });
            } else if (o.status === 'R') {
              poll.rejected++;
              await alert({
                severity: 'error',
                integrationId: input.integrationId,
                title: `Partner rejected ${o.fileName} (${set})`,
                text: `${f.name}: status R; codes ${codeSummary(o)}`,
                fields: { file: o.fileName!, ackFile: f.name, status: 'R', codes: codeSummary(o) },
              });
            }
          }
        }
        for (const late of await ledger.claimLateAckFiles(input.integrationId, cfg.expectWithinHours)) {
          poll.late++;
          await alert({
            severity: 'warning',
            integrationId: input.integrationId,
            title: `No acknowledgement for ${late.fileName}`,
            text: `Delivered ${late.deliveredAt}; no 997/999 arrived in ${cfg.folder} within ${cfg.expectWithinHours} h.`,
            fields: { file: late.fileName, deliveredAt: late.deliveredAt, folder: cfg.folder },
          });
        }
        log.info('Acknowledgements collected', { integrationId: input.integrationId, ...poll });
        return poll;
      });
    },
  };
}
