import type { Connection } from '@temporalio/client';
import type { SearchAttributeType } from '@temporalio/common';
import proto from '@temporalio/proto';
import { ALL_SEARCH_ATTRIBUTES } from '../core/search-attributes.js';

// @temporalio/proto is CommonJS: its namespace comes in as the default export under ESM.
const { IndexedValueType } = proto.temporal.api.enums.v1;
const INDEXED_VALUE_TYPE: Record<SearchAttributeType, proto.temporal.api.enums.v1.IndexedValueType> = {
  TEXT: IndexedValueType.INDEXED_VALUE_TYPE_TEXT,
  KEYWORD: IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
  INT: IndexedValueType.INDEXED_VALUE_TYPE_INT,
  DOUBLE: IndexedValueType.INDEXED_VALUE_TYPE_DOUBLE,
  BOOL: IndexedValueType.INDEXED_VALUE_TYPE_BOOL,
  DATETIME: IndexedValueType.INDEXED_VALUE_TYPE_DATETIME,
  KEYWORD_LIST: IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD_LIST,
};

/**
 * Adds benchbot's search attributes that the namespace lacks. Idempotent: listing first means a
 * restart (or a second worker) never trips over "already exists".
 */
export async function registerSearchAttributes(connection: Connection, namespace: string): Promise<string[]> {
  const existing = await connection.operatorService.listSearchAttributes({ namespace });
  const known = new Set(Object.keys(existing.customAttributes ?? {}));
  const missing = ALL_SEARCH_ATTRIBUTES.filter((key) => !known.has(key.name));
  if (missing.length === 0) return [];
  try {
    await connection.operatorService.addSearchAttributes({
      namespace,
      searchAttributes: Object.fromEntries(missing.map((key) => [key.name, INDEXED_VALUE_TYPE[key.type]])),
    });
  } catch (err) {
    throw new Error(
      `could not register search attributes ${missing.map((k) => k.name).join(', ')} in namespace ${namespace}: ${String(err)}. ` +
        'Fix: on Temporal Cloud add them with `tcld namespace search-attributes add`; elsewhere give benchbot operator access.',
    );
  }
  return missing.map((key) => key.name);
}
