/**
 * The one definition of every DynamoDB table. The CDK stack (infra/) and the local stack (local/)
 * both build their tables from this list, so the two cannot drift.
 */
export type AttributeType = 'S' | 'N';
export interface KeyAttribute {
  name: string;
  type: AttributeType;
}
export interface IndexDefinition {
  name: string;
  partitionKey: KeyAttribute;
  sortKey?: KeyAttribute;
  projection: 'ALL' | 'KEYS_ONLY' | 'INCLUDE';
  /** With INCLUDE: the attributes copied into the index besides the keys. */
  nonKeyAttributes?: string[];
}
export interface TableDefinition {
  /** Logical name: the CDK construct id suffix, the local table name suffix, the env var prefix. */
  id: TableId;
  partitionKey: KeyAttribute;
  sortKey?: KeyAttribute;
  indexes: IndexDefinition[];
  /**
   * Indexes an earlier version declared and this one replaced: nothing reads them. The local stack
   * deletes them from a data folder made before; a CDK deployment keeps them only with the
   * `keepRetiredIndexes` context (the first of the two deploys an upgrade takes, infra/config.ts).
   */
  retiredIndexes?: IndexDefinition[];
  /** Attribute holding an epoch-seconds expiry, for data that is temporary. */
  ttlAttribute?: string;
  /** Stream view type, when a consumer reads the table's changes. */
  stream?: 'NEW_AND_OLD_IMAGES' | 'NEW_IMAGE' | 'KEYS_ONLY';
}

export type TableId = 'contacts' | 'surveys' | 'invitations' | 'aggregates' | 'system' | 'alerts';

const s = (name: string): KeyAttribute => ({ name, type: 'S' });

export const tableDefinitions: Record<TableId, TableDefinition> = {
  /** Contacts, keyed by an id derived from the lower-cased email (upsert needs no lock). */
  contacts: { id: 'contacts', partitionKey: s('id'), indexes: [] },
  /**
   * Surveys and waves. Survey: pk SURVEY#id / sk SURVEY, listed on gsi1 under SURVEYS.
   * Wave: pk WAVE#id / sk WAVE, listed on gsi1 under SURVEY#id#WAVES by start time.
   */
  surveys: {
    id: 'surveys',
    partitionKey: s('pk'),
    sortKey: s('sk'),
    indexes: [{ name: 'gsi1', partitionKey: s('gsi1pk'), sortKey: s('gsi1sk'), projection: 'ALL' }],
  },
  /**
   * Invitations, keyed by their token; each carries its response. The stream feeds the `score`
   * function, which keeps the aggregates. `byWaveKeys` lists a wave's invitations by contact, keys
   * only: an invitation is written five to eight times on its way (selected, claimed, sent, counted,
   * reminded, answered, expired) and an index that copied it (`byWave`, projection ALL, before)
   * doubled each of those writes, 43 % of a wave's write units; a walk over a wave reads the keys,
   * then the invitations 100 to a BatchGetItem, for a fraction of what the copies cost in writes.
   * `answersBySurvey` is sparse (only answered invitations
   * carry `respondedAt`): the dashboard's comment feed reads it newest first, one page at a time. It
   * holds only what the feed shows, so writes to anything else of an answered invitation (the score
   * consumer's `countedVersion`, a Send event's stamp) leave the index alone.
   */
  invitations: {
    id: 'invitations',
    partitionKey: s('token'),
    indexes: [
      { name: 'byWaveKeys', partitionKey: s('waveId'), sortKey: s('contactId'), projection: 'KEYS_ONLY' },
      {
        name: 'answersBySurvey',
        partitionKey: s('surveyId'),
        sortKey: s('respondedAt'),
        projection: 'INCLUDE',
        nonKeyAttributes: [
          'waveId',
          'contactId',
          'kind',
          'scale',
          'score',
          'comment',
          'responseVersion',
          'reportProps',
          'anonymous',
        ],
      },
    ],
    retiredIndexes: [
      { name: 'byWave', partitionKey: s('waveId'), sortKey: s('contactId'), projection: 'ALL' },
    ],
    stream: 'NEW_IMAGE',
  },
  /**
   * Live score counters: pk surveyId, sk ALL | W#waveId | D#yyyy-mm-dd | P#property | P#property#value.
   * `segmentsByResponses` lists a property's value items (`segmentGroup` surveyId#property) most
   * answered first, so a breakdown reads its top values however many there are (shared/score/breakdown).
   */
  aggregates: {
    id: 'aggregates',
    partitionKey: s('surveyId'),
    sortKey: s('key'),
    indexes: [
      {
        name: 'segmentsByResponses',
        partitionKey: s('segmentGroup'),
        sortKey: { name: 'responses', type: 'N' },
        projection: 'ALL',
      },
    ],
  },
  /** Admin keys, idempotency records and rate-limit windows; temporary items expire by TTL. */
  system: { id: 'system', partitionKey: s('pk'), sortKey: s('sk'), indexes: [], ttlAttribute: 'expiresAt' },
  /**
   * What alert rules make (shared/alert/): webhook and email deliveries (pk DELIVERY#id), follow-ups
   * (pk FOLLOWUP#id), answer references (pk RESPONSE#ref), hook and email-window state. `byStatus`
   * lists deliveries by status (pending ones by their next attempt) and follow-ups by status (open
   * ones by due time); `byOwner` lists a contact's follow-ups and a rule's queued alert emails.
   */
  alerts: {
    id: 'alerts',
    partitionKey: s('pk'),
    sortKey: s('sk'),
    indexes: [
      { name: 'byStatus', partitionKey: s('statusKey'), sortKey: s('statusSort'), projection: 'ALL' },
      { name: 'byOwner', partitionKey: s('ownerKey'), sortKey: s('ownerSort'), projection: 'ALL' },
    ],
    ttlAttribute: 'expiresAt',
  },
};

export const tableIds = Object.keys(tableDefinitions) as TableId[];

/** The environment variable through which each function learns a table's name. */
export const tableEnvVar = (id: TableId): string => `${id.toUpperCase()}_TABLE`;
