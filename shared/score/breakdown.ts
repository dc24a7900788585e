/**
 * A breakdown by one `reportBy` property: its most answered values, each with its own counts, and
 * every other value's answers together as "other". Reading one costs two requests however many
 * distinct values the property has: the top of the `segmentsByResponses` index, and the property's
 * total (`P#name`), of which "other" is the remainder. Every value keeps its own counts, so "top"
 * means the most answered values now, not the first ones seen, and both the values and the
 * remainder equal a recomputation from the answers at any moment, whatever the order in which the
 * stream delivered them.
 */
import { GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { dynamo } from '../aws/clients.ts';
import { tableName } from '../config.ts';
import { type Counts, subtractCounts } from '../scoring.ts';
import { countsFromItem, propertyKey, segmentGroup, segmentsIndex } from './aggregate.ts';

/**
 * Values shown per property. More bars than this make no readable chart, and 50 value items (each
 * under 4 KB: a contact property is at most 1,000 characters) come back in one Query page, so a
 * breakdown is one bounded read; the dashboard reads one per `reportBy` property (at most 10).
 */
export const keptValues = 50;

export interface ValueCounts {
  value: string;
  counts: Counts;
}

export interface Breakdown {
  /** The most answered values, most answers first (equal counts: by value). */
  values: ValueCounts[];
  /** The answers of all other values, when there are any. */
  other?: Counts;
}

export async function readBreakdown(surveyId: string, property: string): Promise<Breakdown> {
  const [top, total] = await Promise.all([
    dynamo().send(
      new QueryCommand({
        TableName: tableName('aggregates'),
        IndexName: segmentsIndex,
        KeyConditionExpression: 'segmentGroup = :g',
        ExpressionAttributeValues: { ':g': segmentGroup(surveyId, property) },
        ScanIndexForward: false,
        Limit: keptValues,
      }),
    ),
    // Read consistently: the index lags the table a little and never leads it, so for a moment an
    // answer just counted may show in "other" rather than under its value, never the reverse.
    dynamo().send(
      new GetCommand({
        TableName: tableName('aggregates'),
        Key: { surveyId, key: propertyKey(property) },
        ConsistentRead: true,
      }),
    ),
  ]);
  const values = (top.Items ?? []).map((item) => ({
    value: String(item.value),
    counts: countsFromItem(item),
  }));
  values.sort((a, b) => b.counts.responses - a.counts.responses || compare(a.value, b.value));
  const other = values.reduce((rest, v) => subtractCounts(rest, v.counts), countsFromItem(total.Item));
  return other.responses > 0 ? { values, other } : { values };
}

const compare = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
