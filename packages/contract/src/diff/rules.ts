import type { Level } from './types.js';
import type { Direction, Finding } from './schema.js';

/**
 * Rule ids and default levels follow oasdiff (checker/rules.go). Schema-level rules come in families
 * (`request-body-X`, `request-property-X`, `request-parameter-X`, `response-body-X`, `response-property-X`), graded by
 * direction: a tightening in a request breaks clients that send, a loosening in a response breaks clients that read.
 */

/** [request level, response level] per schema aspect. */
const ASPECT_LEVELS: Record<string, [Level, Level]> = {
  'type-changed': ['ERR', 'ERR'],
  'type-generalized': ['INFO', 'INFO'],
  'type-specialized': ['INFO', 'INFO'],
  'became-nullable': ['INFO', 'ERR'],
  'became-not-nullable': ['ERR', 'INFO'],
  'became-enum': ['ERR', 'INFO'],
  'became-not-enum': ['INFO', 'WARN'],
  'enum-value-removed': ['ERR', 'INFO'],
  'enum-value-added': ['INFO', 'WARN'],
  'x-extensible-enum-value-removed': ['ERR', 'INFO'],
  'const-changed': ['ERR', 'ERR'],
  'const-added': ['ERR', 'INFO'],
  'const-removed': ['INFO', 'WARN'],
  'default-value-changed': ['INFO', 'INFO'],
  'default-value-added': ['INFO', 'INFO'],
  'default-value-removed': ['INFO', 'INFO'],
  'pattern-added': ['ERR', 'INFO'],
  'pattern-removed': ['INFO', 'INFO'],
  'pattern-changed': ['WARN', 'INFO'],
  'pattern-generalized': ['INFO', 'INFO'],
  'content-media-type-changed': ['ERR', 'ERR'],
  'content-encoding-changed': ['ERR', 'ERR'],
  'content-media-type-added': ['INFO', 'INFO'],
  'content-media-type-removed': ['INFO', 'INFO'],
  'content-encoding-added': ['INFO', 'INFO'],
  'content-encoding-removed': ['INFO', 'INFO'],
  'content-schema-added': ['ERR', 'INFO'],
  'content-schema-removed': ['INFO', 'ERR'],
  'discriminator-added': ['INFO', 'INFO'],
  'discriminator-removed': ['INFO', 'INFO'],
  'discriminator-property-name-changed': ['INFO', 'INFO'],
  'discriminator-mapping-added': ['INFO', 'INFO'],
  'discriminator-mapping-deleted': ['INFO', 'INFO'],
  'discriminator-mapping-changed': ['INFO', 'INFO'],
  'dependent-required-added': ['ERR', 'INFO'],
  'dependent-required-removed': ['INFO', 'ERR'],
  'dependent-required-changed': ['ERR', 'ERR'],
  'dependent-schema-added': ['ERR', 'INFO'],
  'dependent-schema-removed': ['INFO', 'ERR'],
  'contains-added': ['ERR', 'INFO'],
  'contains-removed': ['INFO', 'ERR'],
  'property-names-added': ['ERR', 'INFO'],
  'property-names-removed': ['INFO', 'ERR'],
  'pattern-property-added': ['ERR', 'INFO'],
  'pattern-property-removed': ['INFO', 'ERR'],
  'unevaluated-items-added': ['ERR', 'INFO'],
  'unevaluated-items-removed': ['INFO', 'ERR'],
  'unevaluated-properties-added': ['ERR', 'INFO'],
  'unevaluated-properties-removed': ['INFO', 'ERR'],
  // oasdiff does not grade `not`; reported for information only.
  'not-added': ['INFO', 'INFO'],
  'not-removed': ['INFO', 'INFO'],
  'prefix-items-added': ['ERR', 'INFO'],
  'prefix-items-removed': ['ERR', 'INFO'],
  'all-of-added': ['ERR', 'INFO'],
  'all-of-removed': ['WARN', 'INFO'],
  'all-of-added-annotation-only': ['INFO', 'INFO'],
  'all-of-removed-annotation-only': ['INFO', 'INFO'],
  'any-of-added': ['INFO', 'INFO'],
  'any-of-removed': ['ERR', 'INFO'],
  'one-of-added': ['INFO', 'ERR'],
  'one-of-removed': ['ERR', 'INFO'],
  'wrapped-in-one-of': ['ERR', 'ERR'],
  'wrapped-in-one-of-original-preserved': ['INFO', 'ERR'],
  // 3.1 type lists: dropping a type loses senders, adding one surprises readers.
  'list-of-types-widened': ['INFO', 'ERR'],
  'list-of-types-narrowed': ['ERR', 'INFO'],
  'multiple-of-set': ['ERR', 'INFO'],
  'multiple-of-unset': ['INFO', 'ERR'],
  'multiple-of-changed': ['ERR', 'ERR'],
  'multiple-of-generalized': ['INFO', 'INFO'],
  'multiple-of-specialized': ['INFO', 'INFO'],
  'unique-items-set': ['ERR', 'INFO'],
  'unique-items-unset': ['INFO', 'ERR'],
  'if-added': ['ERR', 'INFO'],
  'if-removed': ['INFO', 'ERR'],
  'then-added': ['ERR', 'INFO'],
  'then-removed': ['INFO', 'ERR'],
  'else-added': ['ERR', 'INFO'],
  'else-removed': ['INFO', 'ERR'],
  'type-compatible': ['INFO', 'INFO'],
  'stability-decreased': ['ERR', 'ERR'],
  'stability-increased': ['INFO', 'INFO'],
  deprecated: ['INFO', 'INFO'],
  'deprecated-with-sunset': ['INFO', 'INFO'],
  reactivated: ['INFO', 'INFO'],
};
for (const [name, upper] of [
  ['max', true],
  ['max-length', true],
  ['max-items', true],
  ['max-properties', true],
  ['max-contains', true],
  ['exclusive-max', true],
  ['min', false],
  ['min-length', false],
  ['min-items', false],
  ['min-properties', false],
  ['min-contains', false],
  ['exclusive-min', false],
] as const) {
  // Lowering an upper bound or raising a lower bound narrows what is accepted.
  ASPECT_LEVELS[`${name}-${upper ? 'decreased' : 'increased'}`] = ['ERR', 'INFO'];
  ASPECT_LEVELS[`${name}-${upper ? 'increased' : 'decreased'}`] = ['INFO', 'ERR'];
  ASPECT_LEVELS[`${name}-set`] = ['WARN', 'INFO'];
  // Dropping a bound: harmless for senders, readers may now get values outside the old range.
  ASPECT_LEVELS[`${name}-unset`] = ['INFO', 'ERR'];
}

/** Ids whose level differs from their family, or that are not schema-family ids. */
export const LEVELS: Record<string, Level> = {
  'request-parameter-default-value-changed': 'ERR',
  'request-parameter-default-value-added': 'ERR',
  'request-parameter-default-value-removed': 'ERR',
  'request-parameter-property-type-changed': 'WARN',
  'request-parameter-property-type-specialized': 'ERR',
  // Re-graded text-typed changes (see textTypeAspect).
  'request-parameter-type-generalized': 'INFO',
  'request-parameter-property-type-generalized': 'INFO',
  'request-property-removed': 'WARN',
  'request-parameter-property-removed': 'WARN',
  'new-required-request-property': 'ERR',
  'new-required-request-property-with-default': 'ERR',
  'new-optional-request-property': 'INFO',
  'request-property-became-required': 'ERR',
  'request-property-became-required-with-default': 'ERR',
  'request-property-became-optional': 'INFO',
  'response-required-property-removed': 'ERR',
  'response-optional-property-removed': 'WARN',
  'response-required-property-added': 'INFO',
  'response-optional-property-added': 'INFO',
  'response-property-became-optional': 'ERR',
  'response-property-became-required': 'INFO',
  'response-required-property-became-not-write-only': 'WARN',
  'response-required-property-became-write-only': 'INFO',
  'request-required-property-became-not-read-only': 'WARN',
  'response-mediatype-enum-value-removed': 'INFO',
  // operation level
  'endpoint-added': 'INFO',
  'endpoint-deprecated': 'INFO',
  'endpoint-deprecated-with-sunset': 'INFO',
  'endpoint-reactivated': 'INFO',
  'api-deprecated-sunset-parse': 'ERR',
  'api-deprecated-sunset-missing': 'ERR',
  'api-sunset-date-too-small': 'ERR',
  'api-invalid-stability-level': 'ERR',
  'api-stability-decreased': 'ERR',
  'api-stability-increased': 'INFO',
  'api-path-removed-without-deprecation': 'ERR',
  'api-path-removed-with-deprecation': 'INFO',
  'api-path-removed-before-sunset': 'ERR',
  'api-path-sunset-parse': 'ERR',
  'api-removed-without-deprecation': 'ERR',
  'api-removed-with-deprecation': 'INFO',
  'api-removed-before-sunset': 'ERR',
  'sunset-deleted': 'ERR',
  'api-sunset-date-changed-too-small': 'ERR',
  'api-operation-id-removed': 'INFO',
  'api-operation-id-added': 'INFO',
  'api-tag-removed': 'INFO',
  'api-tag-added': 'INFO',
  'api-security-removed': 'INFO',
  'api-security-added': 'INFO',
  // oasdiff (at the commit the conformance pairs come from) grades security changes INFO; raise with levelOverrides.
  'api-security-scope-added': 'INFO',
  'api-security-scope-removed': 'INFO',
  'api-global-security-removed': 'INFO',
  'api-global-security-added': 'INFO',
  'api-global-security-scope-added': 'INFO',
  'api-global-security-scope-removed': 'INFO',
  'api-security-component-removed': 'INFO',
  'api-security-component-added': 'INFO',
  'api-security-component-oauth-scope-removed': 'INFO',
  'api-security-component-oauth-scope-added': 'INFO',
  'api-security-component-type-changed': 'INFO',
  'webhook-added': 'INFO',
  'webhook-removed': 'ERR',
  'request-parameter-removed': 'WARN',
  'request-parameter-removed-with-deprecation': 'INFO',
  'request-parameter-removed-before-sunset': 'ERR',
  'request-parameter-sunset-parse': 'ERR',
  'new-required-request-parameter': 'ERR',
  'new-optional-request-parameter': 'INFO',
  'request-parameter-became-required': 'ERR',
  'request-parameter-became-optional': 'INFO',
  'request-parameter-deprecated': 'INFO',
  'request-parameter-deprecated-with-sunset': 'INFO',
  'request-parameter-reactivated': 'INFO',
  'request-parameter-sunset-deleted': 'ERR',
  'request-parameter-sunset-date-changed-too-small': 'ERR',
  'request-parameter-style-changed': 'ERR',
  'request-parameter-explode-changed': 'ERR',
  'request-parameter-became-allow-reserved': 'INFO',
  'request-parameter-became-not-allow-reserved': 'ERR',
  'new-required-request-header-property': 'ERR',
  'request-header-property-became-required': 'ERR',
  'request-header-property-became-enum': 'ERR',
  'new-request-path-parameter': 'ERR',
  'new-required-request-default-parameter-to-existing-path': 'ERR',
  'new-optional-request-default-parameter-to-existing-path': 'INFO',
  'request-parameter-deprecated-sunset-missing': 'ERR',
  'request-parameter-sunset-date-too-small': 'ERR',
  'request-property-deprecated-sunset-missing': 'ERR',
  'request-property-deprecated-sunset-invalid': 'ERR',
  'request-property-sunset-date-too-small': 'ERR',
  'response-property-deprecated-sunset-missing': 'ERR',
  'response-property-deprecated-sunset-invalid': 'ERR',
  'response-property-sunset-date-too-small': 'ERR',
  'request-body-media-type-schema-added': 'ERR',
  'request-body-media-type-schema-removed': 'INFO',
  'response-body-media-type-schema-added': 'INFO',
  'response-body-media-type-schema-removed': 'ERR',
  'request-body-media-type-item-schema-added': 'ERR',
  'request-body-media-type-item-schema-removed': 'INFO',
  'response-body-media-type-item-schema-added': 'INFO',
  'response-body-media-type-item-schema-removed': 'ERR',
  'response-media-type-name-generalized': 'ERR',
  'response-media-type-name-specialized': 'INFO',
  'api-security-component-oauth-url-changed': 'INFO',
  'api-security-component-oauth-token-url-changed': 'INFO',
  'api-security-component-oauth-scope-changed': 'INFO',
  // Versioning policy: INFO by default, like oasdiff; raise with levelOverrides to enforce semver.
  'api-version-not-bumped': 'INFO',
  'api-version-decreased': 'INFO',
  'api-major-version-not-bumped': 'INFO',
  'request-body-removed': 'ERR',
  'request-body-added-required': 'ERR',
  'request-body-added-optional': 'INFO',
  'request-body-became-required': 'ERR',
  'request-body-became-optional': 'INFO',
  'request-body-media-type-removed': 'ERR',
  'request-body-media-type-added': 'INFO',
  'response-success-status-removed': 'ERR',
  'response-non-success-status-removed': 'INFO',
  'response-success-status-added': 'INFO',
  'response-non-success-status-added': 'INFO',
  'response-media-type-removed': 'ERR',
  'response-media-type-added': 'INFO',
  'required-response-header-removed': 'ERR',
  'optional-response-header-removed': 'WARN',
  'response-header-became-optional': 'ERR',
  'response-header-added': 'INFO',
  'api-schema-removed': 'INFO',
};

/** Where a schema sits in an operation, which decides the id family and the message subject. */
export interface SchemaPlace {
  dir: Direction;
  where: 'body' | 'parameter' | 'header';
  /** Parameter `in` and name, or response header name. */
  in?: string;
  name?: string;
  /** Response status code, for messages. */
  status?: string;
  mediaType?: string;
}

const PROPERTY_IDS: Record<string, string> = {
  'request:property-removed': 'request-property-removed',
  'request:new-required-property': 'new-required-request-property',
  'request:new-required-property-with-default': 'new-required-request-property-with-default',
  'request:new-optional-property': 'new-optional-request-property',
  'request:property-became-required': 'request-property-became-required',
  'request:property-became-required-with-default': 'request-property-became-required-with-default',
  'request:property-became-optional': 'request-property-became-optional',
  'response:required-property-removed': 'response-required-property-removed',
  'response:optional-property-removed': 'response-optional-property-removed',
  'response:required-property-added': 'response-required-property-added',
  'response:optional-property-added': 'response-optional-property-added',
  'response:property-became-optional': 'response-property-became-optional',
  'response:property-became-required': 'response-property-became-required',
  'response:required-property-became-not-write-only': 'response-required-property-became-not-write-only',
  'response:optional-write-only-property-removed': 'response-optional-write-only-property-removed',
  'response:required-write-only-property-removed': 'response-required-write-only-property-removed',
  'response:optional-write-only-property-added': 'response-optional-write-only-property-added',
  'response:required-write-only-property-added': 'response-required-write-only-property-added',
};

const HEADER_PROPERTY_IDS: Record<string, string> = {
  'new-required-property': 'new-required-request-header-property',
  'new-required-property-with-default': 'new-required-request-header-property',
  'property-became-required': 'request-header-property-became-required',
  'property-became-required-with-default': 'request-header-property-became-required',
  'became-enum': 'request-header-property-became-enum',
};

/** Whether a finding is about the placed schema itself (oasdiff names a parameter's array items after it). */
const isRoot = (f: Finding, place: SchemaPlace) =>
  place.where === 'parameter' ? f.props.every((p) => p === 'items') : f.props.length === 0;

/** JSON tells `1` from `"1"`; text-based media types do not. */
const stronglyTyped = (mediaType?: string) => {
  const essence = (mediaType ?? 'application/json').split(';')[0].trim().toLowerCase();
  return essence === 'application/json' || essence.endsWith('+json');
};

/**
 * A type change re-graded for where the value travels as text, as oasdiff does. Any value can be read as a string
 * there: a parameter that becomes a string still accepts whatever was sent (generalized); a non-JSON body or a
 * response header that becomes (request) or was (response) a string is a compatible swap, not a real widening. A
 * parameter property is only surely broken when the change breaks both as text and as JSON (specialized, ERR);
 * otherwise it depends on the serialization (changed, WARN).
 */
function textTypeAspect(f: Finding, place: SchemaPlace, root: boolean): string {
  if (f.aspect !== 'type-changed' || f.args.looseOk === undefined) return f.aspect;
  if (place.where === 'parameter')
    return root ? (f.args.looseOk ? 'type-generalized' : f.aspect) : f.args.looseOk ? f.aspect : 'type-specialized';
  const textual = place.where === 'header' || !stronglyTyped(place.mediaType);
  return textual && f.args.looseOk ? 'type-compatible' : f.aspect;
}

/**
 * A schema finding as oasdiff grades it at a place: type changes where values travel as text are re-graded.
 * @param f the finding. @param place where the schema sits.
 * @returns `f` itself, or a copy with the re-graded aspect.
 */
export function regrade(f: Finding, place: SchemaPlace): Finding {
  const aspect = textTypeAspect(f, place, isRoot(f, place));
  return aspect === f.aspect ? f : { ...f, aspect };
}

/**
 * Further oasdiff ids one schema finding is also reported under: a header parameter that becomes an enum is named
 * by both the parameter check and the header-property check.
 * @param f the finding (regraded). @param place where the schema sits.
 */
export function alsoRuleIds(f: Finding, place: SchemaPlace): string[] {
  if (place.where === 'parameter' && place.in === 'header' && f.aspect === 'became-enum' && isRoot(f, place))
    return ['request-header-property-became-enum'];
  return [];
}

/**
 * The oasdiff id of a schema finding at a place.
 * @param f the finding. @param place where the compared schema sits.
 * @returns e.g. `request-property-max-length-decreased`.
 */
export function schemaRuleId(f: Finding, place: SchemaPlace): string {
  if (/^(read|write)-only-property-/.test(f.aspect) && place.where === 'body') return `${place.dir}-${f.aspect}`;
  const special =
    PROPERTY_IDS[`${place.dir}:${f.aspect}`] ??
    (/^(required|optional)-property-became-/.test(f.aspect) ? `${place.dir}-${f.aspect}` : undefined);
  const root = isRoot(f, place);
  // Object-valued header parameters have their own oasdiff ids for the properties they gain or tighten.
  if (place.where === 'parameter' && place.in === 'header' && !root) {
    const header = HEADER_PROPERTY_IDS[f.aspect];
    if (header) return header;
  }
  if (special) {
    if (place.where === 'parameter')
      return special
        .replace('request-property', 'request-parameter-property')
        .replace('request-property', 'request-parameter-property');
    return special;
  }
  if (place.dir === 'response' && root && place.where === 'body' && f.aspect === 'enum-value-removed')
    return 'response-mediatype-enum-value-removed';
  let prefix: string;
  if (place.where === 'parameter') prefix = root ? 'request-parameter' : 'request-parameter-property';
  else if (place.where === 'header') prefix = root ? 'response-header' : 'response-header-property';
  else prefix = `${place.dir}-${root ? 'body' : 'property'}`;
  return `${prefix}-${f.aspect}`;
}

/**
 * Default level of a rule id.
 * @param id an oasdiff rule id. @param f the schema finding it came from, if any (for the family fallback).
 */
export function levelOf(id: string, f?: Finding, dir?: Direction): Level {
  const explicit = LEVELS[id];
  if (explicit) return explicit;
  if (f && dir) {
    const pair = ASPECT_LEVELS[f.aspect];
    if (pair) return pair[dir === 'request' ? 0 : 1];
  }
  return 'INFO';
}

const KEYWORD_LABEL: Record<string, string> = {
  max: 'max',
  min: 'min',
  'max-length': 'maxLength',
  'min-length': 'minLength',
  'max-items': 'maxItems',
  'min-items': 'minItems',
  'max-properties': 'maxProperties',
  'min-properties': 'minProperties',
  'max-contains': 'maxContains',
  'min-contains': 'minContains',
  'exclusive-max': 'exclusiveMaximum',
  'exclusive-min': 'exclusiveMinimum',
};

const show = (v: unknown): string => (typeof v === 'string' ? v : JSON.stringify(v));

function subject(f: Finding, place: SchemaPlace): string {
  const prop = f.props.join('/');
  const status = place.status
    ? ` (response status ${place.status}${place.mediaType ? `, ${place.mediaType}` : ''})`
    : '';
  if (place.where === 'parameter') {
    const param = `the ${place.in} request parameter \`${place.name}\``;
    return prop ? `the property \`${prop}\` of ${param}` : param;
  }
  if (place.where === 'header')
    return prop
      ? `the property \`${prop}\` of the response header \`${place.name}\`${status}`
      : `the response header \`${place.name}\`${status}`;
  if (place.dir === 'request') return prop ? `the request property \`${prop}\`` : "the request's body";
  return prop ? `the response property \`${prop}\`${status}` : `the response's body${status}`;
}

/**
 * oasdiff-like sentence for a schema finding.
 * @param f the finding. @param place where the schema sits.
 */
export function schemaMessage(f: Finding, place: SchemaPlace): string {
  const hiddenProp = /^(read|write)-only-property-(.*)$/.exec(f.aspect);
  if (hiddenProp && !hiddenProp[2].startsWith('became-'))
    return `${schemaMessage({ ...f, aspect: hiddenProp[2] }, place)} (${hiddenProp[1]}-only property)`;
  const who = subject(f, place);
  const a = f.args;
  const m =
    /^(max|min|max-length|min-length|max-items|min-items|max-properties|min-properties|max-contains|min-contains|exclusive-max|exclusive-min)-(increased|decreased|set|unset)$/.exec(
      f.aspect,
    );
  if (m) {
    const label = KEYWORD_LABEL[m[1]];
    if (m[2] === 'set') return `for ${who}, the ${label} was set to ${show(a.value)}`;
    if (m[2] === 'unset') return `for ${who}, the ${label} was unset from ${show(a.value)}`;
    return `for ${who}, the ${label} was ${m[2]} from ${show(a.from)} to ${show(a.to)}`;
  }
  switch (f.aspect) {
    case 'type-compatible':
      return `for ${who}, the ${a.what} was changed from ${show(a.from)} to ${show(a.to)}, which the text-based media type still carries`;
    case 'type-changed':
    case 'type-generalized':
    case 'type-specialized': {
      const verb = f.aspect === 'type-changed' ? 'changed' : f.aspect === 'type-generalized' ? 'widened' : 'narrowed';
      return `for ${who}, the ${a.what} was ${verb} from ${show(a.from)} to ${show(a.to)}`;
    }
    case 'became-nullable':
      return `${who} became nullable`;
    case 'became-not-nullable':
      return `${who} became not nullable`;
    case 'became-enum':
      return `${who} was restricted to a list of enum values`;
    case 'became-not-enum':
      return `${who} is no longer restricted to a list of enum values`;
    case 'enum-value-removed':
      return `removed the enum value ${show(a.value)} from ${who}`;
    case 'enum-value-added':
      return `added the enum value ${show(a.value)} to ${who}`;
    case 'x-extensible-enum-value-removed':
      return `removed the x-extensible-enum value ${show(a.value)} from ${who}`;
    case 'const-changed':
      return `for ${who}, the const value was changed from ${show(a.from)} to ${show(a.to)}`;
    case 'default-value-changed':
      return `for ${who}, the default value was changed from ${show(a.from)} to ${show(a.to)}`;
    case 'pattern-added':
      return `added the pattern \`${show(a.value)}\` to ${who}`;
    case 'pattern-removed':
      return `removed the pattern \`${show(a.value)}\` from ${who}`;
    case 'pattern-changed':
      return `changed the pattern of ${who} from \`${show(a.from)}\` to \`${show(a.to)}\``;
    case 'pattern-generalized':
      return `changed the pattern of ${who} from \`${show(a.from)}\` to a more general pattern \`${show(a.to)}\``;
    case 'property-removed':
    case 'required-property-removed':
    case 'optional-property-removed':
    case 'required-write-only-property-removed':
    case 'optional-write-only-property-removed':
      return `removed ${who}${f.aspect.includes('write-only') ? ' (write-only)' : ''}`;
    case 'new-required-property':
    case 'new-required-property-with-default':
      return `added the new required ${who.replace(/^the /, '')}`;
    case 'new-optional-property':
    case 'required-property-added':
    case 'optional-property-added':
      return `added ${who}${f.aspect === 'required-property-added' ? ' as required' : ''}`;
    case 'property-became-required':
    case 'property-became-required-with-default':
      return `${who} became required`;
    case 'property-became-optional':
      return `${who} became optional`;
    case 'wrapped-in-one-of-original-preserved':
      return `${who} was restructured into a oneOf, keeping the original schema as one of the alternatives`;
    case 'all-of-added':
    case 'all-of-removed':
    case 'any-of-added':
    case 'any-of-removed':
    case 'one-of-added':
    case 'one-of-removed':
    case 'all-of-added-annotation-only': {
      const kw = f.aspect.startsWith('all') ? 'allOf' : f.aspect.startsWith('any') ? 'anyOf' : 'oneOf';
      const added = f.aspect.includes('added');
      return `${added ? 'added' : 'removed'} ${show(a.value)} ${added ? 'to' : 'from'} the \`${kw}\` list of ${who}${f.aspect.endsWith('annotation-only') ? ' (annotations only)' : ''}`;
    }
    case 'discriminator-added':
    case 'discriminator-removed':
      return `${f.aspect.endsWith('added') ? 'added a' : 'removed the'} discriminator ${f.aspect.endsWith('added') ? 'to' : 'from'} ${who}`;
    case 'discriminator-property-name-changed':
      return `the discriminator property name of ${who} changed from ${show(a.from)} to ${show(a.to)}`;
    case 'discriminator-mapping-added':
    case 'discriminator-mapping-deleted':
    case 'discriminator-mapping-changed':
      return `${f.aspect.split('-').pop()} discriminator mapping keys ${show(a.value)} of ${who}`;
    case 'dependent-required-added':
    case 'dependent-required-removed':
    case 'dependent-required-changed':
      return `${f.aspect.split('-').pop()} the dependentRequired entry ${show(a.value)} of ${who}`;
    case 'wrapped-in-one-of':
      return `${who} was wrapped in a oneOf; senders of the old shape must now match exactly one alternative`;
    case 'deprecated':
      return `${who} deprecated`;
    case 'deprecated-with-sunset':
      return `${who} deprecated with sunset date ${show(a.sunset)}`;
    case 'reactivated':
      return `${who} reactivated`;
    case 'all-of-removed-annotation-only':
      return `removed ${show(a.value)} from the \`allOf\` list of ${who} (annotations only)`;
    case 'write-only-property-became-optional':
    case 'write-only-property-became-required':
      return `${who} (write-only) became ${f.aspect.split('-').pop()}`;
    case 'list-of-types-widened':
      return `for ${who}, the list of types was widened by adding ${show(a.value)}`;
    case 'list-of-types-narrowed':
      return `for ${who}, the list of types was narrowed by removing ${show(a.value)}`;
    case 'multiple-of-set':
      return `for ${who}, the multipleOf was set to ${show(a.value)}`;
    case 'multiple-of-unset':
      return `for ${who}, the multipleOf ${show(a.value)} was removed`;
    case 'multiple-of-changed':
    case 'multiple-of-generalized':
    case 'multiple-of-specialized':
      return `for ${who}, the multipleOf was changed from ${show(a.from)} to ${show(a.to)}`;
    case 'unique-items-set':
      return `${who} now requires unique items`;
    case 'unique-items-unset':
      return `${who} no longer requires unique items`;
    case 'if-added':
    case 'then-added':
    case 'else-added':
      return `added the \`${f.aspect.split('-')[0]}\` subschema to ${who}`;
    case 'if-removed':
    case 'then-removed':
    case 'else-removed':
      return `removed the \`${f.aspect.split('-')[0]}\` subschema from ${who}`;
    case 'stability-decreased':
    case 'stability-increased':
      return `${who} stability level ${f.aspect.split('-')[1]} from ${show(a.from)} to ${show(a.to)}`;
  }
  const became = /^(required|optional)-property-became-(.*)$/.exec(f.aspect);
  if (became) return `${who} (${became[1]}) became ${became[2].replace(/-/g, ' ')}`;
  const words = f.aspect.replace(/-/g, ' ');
  const detail =
    a.value !== undefined ? `: ${show(a.value)}` : a.from !== undefined ? ` from ${show(a.from)} to ${show(a.to)}` : '';
  return `${who}: ${words}${detail}`;
}
