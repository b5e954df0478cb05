export {
  CapstanError,
  NotFoundError,
  AlreadyExistsError,
  ConflictError,
  InvalidError,
  ForbiddenError,
  ExpiredError,
  TooManyRequestsError,
  UnavailableError,
  isCapstanError,
} from "./errors.js";
export type { ErrorCode, ObjectKey, FieldError } from "./errors.js";
export type { Decide, Decision, EventType, JsonObject, Mutation, ObjectRecord, ReadRecord, RelatedWrite, StoredEvent, Verb } from "./stored-object.js";

export * as field from "./field-errors.js";
export { emptyError, maxLenError, inclusiveRangeError, regexError } from "./rule-messages.js";

export {
  DNS1123_LABEL_MAX_LENGTH,
  DNS1123_SUBDOMAIN_MAX_LENGTH,
  PORT_NAME_MAX_LENGTH,
  validateDNS1123Label,
  validateDNS1123Subdomain,
  isDNS1123Label,
  isDNS1123Subdomain,
  validateCIdentifier,
  validateEnvVarName,
  validatePortName,
  validatePortNumber,
} from "./names.js";

export {
  QUALIFIED_NAME_MAX_LENGTH,
  LABEL_VALUE_MAX_LENGTH,
  validateQualifiedName,
  validateLabelKey,
  validateLabelValue,
  validateLabels,
} from "./labels.js";
export { TOTAL_ANNOTATION_SIZE_LIMIT_BYTES, annotationsSize, validateAnnotations } from "./annotations.js";

export {
  Quantity,
  QuantityFormatError,
  QUANTITY_FORMAT_MESSAGE,
  QUANTITY_RANGE_MESSAGE,
  parseQuantity,
  tryParseQuantity,
  validateQuantity,
  isValidQuantity,
} from "./quantity.js";

export {
  parseSelector,
  selectorFromLabelSelector,
  selectorFromSet,
  validateLabelSelector,
  everythingSelector,
  nothingSelector,
} from "./selector.js";
export type {
  Selector,
  SelectorOperator,
  Requirement,
  Labels,
  LabelSelector,
  LabelSelectorRequirement,
} from "./selector.js";

export { parseFieldSelector } from "./field-selector.js";
export type { FieldSelector, FieldRequirement, FieldOperator } from "./field-selector.js";

export { DELETION_PROPAGATIONS, FINALIZER_DELETE_DEPENDENTS, FINALIZER_ORPHAN_DEPENDENTS, isDeletionPropagation } from "./deletion.js";
export type { DeletionPropagation } from "./deletion.js";
export { systemClock } from "./clock.js";
export type { Clock, Timer } from "./clock.js";
export { parseResolvConf, readResolvConf, formatResolvConf } from "./resolv-conf.js";
export type { ResolvConf } from "./resolv-conf.js";
export { age, humanDuration } from "./human-duration.js";
export { rfc3339Seconds } from "./rfc3339.js";
