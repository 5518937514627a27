import { MATTER_TIERS } from '@gridwatch/devices';
import { Type } from 'typebox';

/**
 * Items as submitted: types only. The catalogue validator (catalogue.ts) checks values and
 * names the item and field of every problem, the same way for JSON and CSV.
 */
const Text = Type.String({ maxLength: 200 });
const ItemFields = {
  code: Text,
  categoryCode: Text,
  categoryZh: Text,
  categoryEn: Text,
  nameZh: Text,
  nameEn: Text,
  leadDepartment: Text,
  tier: Type.Enum(MATTER_TIERS),
  acceptLimitS: Type.Number(),
  receiveLimitS: Type.Number(),
  handleLimitS: Type.Number(),
  verifyLimitS: Type.Number(),
  photoRequired: Type.Boolean(),
  verificationRequired: Type.Boolean(),
};
export const MatterItemInput = Type.Object(ItemFields, { additionalProperties: false });

const Edit = {
  /** The version this edit is based on; refused with 409 when a newer one exists. */
  baseVersion: Type.Optional(Type.Integer({ minimum: 0 })),
  note: Type.Optional(Type.String({ maxLength: 500 })),
};

export const ReplaceCatalogueBody = Type.Object(
  { ...Edit, items: Type.Array(MatterItemInput, { maxItems: 2000 }) },
  { additionalProperties: false },
);

export const PatchItemBody = Type.Object(
  {
    ...Edit,
    ...Object.fromEntries(
      Object.entries(ItemFields)
        .filter(([k]) => k !== 'code')
        .map(([k, v]) => [k, Type.Optional(v)]),
    ),
  },
  { additionalProperties: false },
);

export const ImportQuery = Type.Object({
  baseVersion: Type.Optional(Type.Integer({ minimum: 0 })),
  note: Type.Optional(Type.String({ maxLength: 500 })),
});
