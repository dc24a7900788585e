/**
 * DynamoDB stream records in the shape Lambda's event source mapping hands them to a function: the
 * SDK's records carry Dates and byte arrays where Lambda's JSON has epoch seconds and base64.
 */
import type { AttributeValue, _Record as StreamRecord } from '@aws-sdk/client-dynamodb-streams';
import { localRegion } from './env.ts';

/** A stream record as Lambda's event source mapping delivers it (binary values in base64). */
export function lambdaRecord(record: StreamRecord, streamArn: string): Record<string, unknown> {
  const data = record.dynamodb ?? {};
  const dynamodb: Record<string, unknown> = {
    ApproximateCreationDateTime: Math.floor(
      (data.ApproximateCreationDateTime?.getTime() ?? Date.now()) / 1000,
    ),
    Keys: imageJson(data.Keys),
    SequenceNumber: data.SequenceNumber,
    SizeBytes: data.SizeBytes,
    StreamViewType: data.StreamViewType,
  };
  if (data.NewImage) dynamodb.NewImage = imageJson(data.NewImage);
  if (data.OldImage) dynamodb.OldImage = imageJson(data.OldImage);
  const out: Record<string, unknown> = {
    eventID: record.eventID,
    eventName: record.eventName,
    eventVersion: record.eventVersion ?? '1.1',
    eventSource: 'aws:dynamodb',
    awsRegion: localRegion,
    dynamodb,
    eventSourceARN: streamArn,
  };
  if (record.userIdentity) out.userIdentity = record.userIdentity;
  return out;
}

function imageJson(image: Record<string, AttributeValue> | undefined): Record<string, unknown> | undefined {
  if (!image) return undefined;
  return Object.fromEntries(Object.entries(image).map(([k, value]) => [k, attributeJson(value)]));
}

function attributeJson(value: AttributeValue): unknown {
  if (value.B !== undefined) return { B: Buffer.from(value.B).toString('base64') };
  if (value.BS !== undefined) return { BS: value.BS.map((b) => Buffer.from(b).toString('base64')) };
  if (value.M !== undefined) return { M: imageJson(value.M) };
  if (value.L !== undefined) return { L: value.L.map(attributeJson) };
  return Object.fromEntries(Object.entries(value).filter(([k, v]) => k !== '$unknown' && v !== undefined));
}
