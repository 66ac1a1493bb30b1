import type { SupplierAddress, SupplierRecord, SupplierSite } from '../../shared/records';
import { type EntityFields, levelFields, type Row } from './types';

// Supplier fields: the supplier's by name, sites as `site.<field>`, and the site's address as
// `site.address.<field>` (the supplier address whose addressName is the site's supplierAddressName).

function siteAddress(row: Row): SupplierAddress | null {
  const supplier = row[0] as SupplierRecord;
  const site = row[1] as SupplierSite | null | undefined;
  if (!site?.supplierAddressName) return null;
  return supplier.addresses.find((a) => a.addressName === site.supplierAddressName) ?? null;
}

const addressFields = levelFields<SupplierAddress>('site.address.', 1, {
  supplierAddressId: 'code',
  addressName: 'text',
  addressLine1: 'text',
  addressLine2: 'text',
  city: 'text',
  state: 'text',
  postalCode: 'text',
  country: 'text',
});
for (const [path, spec] of Object.entries(addressFields)) {
  const name = path.slice('site.address.'.length) as keyof SupplierAddress;
  addressFields[path] = { ...spec, get: (row) => siteAddress(row)?.[name] ?? null };
}

export const supplierFields: EntityFields = {
  entity: 'suppliers',
  levels: ['supplier', 'site'],
  children: [(s: SupplierRecord) => s.sites],
  itemLabels: [(site: SupplierSite) => `site[${site.supplierSite}]`],
  prefixes: ['', 'site.'],
  fields: {
    ...levelFields<SupplierRecord>('', 0, {
      recordId: 'code',
      version: 'code',
      supplierId: 'code',
      supplier: 'text',
      supplierNumber: 'text',
      status: 'text',
      businessRelationship: 'text',
      taxOrganizationType: 'text',
      taxpayerId: 'text',
      dunsNumber: 'text',
    }),
    siteCount: { kind: 'integer', level: 0, get: (row) => (row[0] as SupplierRecord).sites.length },
    ...levelFields<SupplierSite>('site.', 1, {
      supplierSiteId: 'code',
      supplierSite: 'text',
      procurementBU: 'text',
      supplierAddressName: 'text',
      purchasing: 'boolean',
      pay: 'boolean',
      inactiveDate: 'date',
    }),
    ...addressFields,
  },
};
