// A problem found in a topology before it is tied to a file position: where (YAML path) and what.
import { formatPath, type PointAt, type YamlPath } from './parse.js';

export interface Finding {
  path: YamlPath;
  /** Point at the key (unknown, duplicate keys) rather than the value. */
  at?: PointAt;
  /** Full message, starting with the display path. */
  message: string;
}

export function finding(path: YamlPath, text: string, at?: PointAt): Finding {
  return at === undefined ? { path, message: `${formatPath(path)}: ${text}` } : { path, at, message: `${formatPath(path)}: ${text}` };
}

/** A value shown in a message: short, quoted when a string. */
export function show(value: unknown): string {
  if (value === undefined) return 'nothing';
  const text = typeof value === 'string' ? `'${value}'` : JSON.stringify(value);
  return text.length > 40 ? `${text.slice(0, 37)}...` : text;
}

/** Names for a message: all of a few, the first ones and a count of a city's thousands (one line stays short). */
export function listNames(names: Iterable<string>, max = 8): string {
  const all = [...names];
  return all.length <= max ? all.join(', ') : `${all.slice(0, max).join(', ')} and ${all.length - max} more`;
}
