/** A string member of a request, with the constraints of Cognito's service model. */
export interface StringShape {
  type: "string";
  min?: number;
  max?: number;
  /** The model's regular expression (Java syntax; the whole value must match). */
  pattern?: string;
  enum?: readonly string[];
  /** Validation messages leave the value out, as AWS does for passwords and usernames. */
  redacted?: boolean;
}

/** An integer member. */
export interface IntegerShape {
  type: "integer";
  min?: number;
  max?: number;
}

/** A boolean member. */
export interface BooleanShape {
  type: "boolean";
}

/** A list member; `min`/`max` bound its length. */
export interface ListShape {
  type: "list";
  member: Shape;
  min?: number;
  max?: number;
}

/** A map with string keys. */
export interface MapShape {
  type: "map";
  value: Shape;
}

/** A structure: the request itself or a nested one. */
export interface StructureShape {
  type: "structure";
  members: Record<string, Shape>;
  required?: readonly string[];
}

/** The part of the AWS service model the stand-in checks requests against. */
export type Shape =
  | StringShape
  | IntegerShape
  | BooleanShape
  | ListShape
  | MapShape
  | StructureShape;
