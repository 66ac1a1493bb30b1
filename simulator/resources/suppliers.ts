import type { Attribute } from '../attributes';
import { type ChangePolicy, type NewRow, type TreeSpec, TreeStore } from '../tree-store';

// Suppliers (reference §3.4): suppliers → sites, addresses, contacts; plain-id keys throughout.

const supplierAttributes: Attribute[] = [
  { name: 'SupplierId', type: 'integer' },
  { name: 'Supplier', type: 'string' },
  { name: 'SupplierNumber', type: 'string' },
  { name: 'Status', type: 'string' },
  { name: 'BusinessRelationship', type: 'string' },
  { name: 'TaxOrganizationType', type: 'string' },
  { name: 'SupplierType', type: 'string' },
  { name: 'TaxpayerId', type: 'string' },
  { name: 'TaxpayerCountry', type: 'string' },
  { name: 'DUNSNumber', type: 'string' },
  { name: 'AlternateName', type: 'string' },
  { name: 'InactiveDate', type: 'date' },
  { name: 'CreationDate', type: 'datetime' },
  { name: 'LastUpdateDate', type: 'datetime' },
];

const siteAttributes: Attribute[] = [
  { name: 'SupplierSiteId', type: 'integer' },
  { name: 'SupplierSite', type: 'string' },
  { name: 'ProcurementBU', type: 'string' },
  { name: 'SupplierAddressName', type: 'string' },
  { name: 'SitePurposePurchasingFlag', type: 'boolean' },
  { name: 'SitePurposePayFlag', type: 'boolean' },
  { name: 'PayOnReceiptFlag', type: 'boolean' },
  { name: 'InactiveDate', type: 'date' },
  { name: 'LastUpdateDate', type: 'datetime' },
];

const addressAttributes: Attribute[] = [
  { name: 'SupplierAddressId', type: 'integer' },
  { name: 'AddressName', type: 'string' },
  { name: 'AddressLine1', type: 'string' },
  { name: 'AddressLine2', type: 'string' },
  { name: 'City', type: 'string' },
  { name: 'State', type: 'string' },
  { name: 'PostalCode', type: 'string' },
  { name: 'Country', type: 'string' },
  { name: 'LastUpdateDate', type: 'datetime' },
];

const contactAttributes: Attribute[] = [
  { name: 'SupplierContactId', type: 'integer' },
  { name: 'FirstName', type: 'string' },
  { name: 'LastName', type: 'string' },
  { name: 'Email', type: 'string' },
  { name: 'PhoneNumber', type: 'string' },
  { name: 'LastUpdateDate', type: 'datetime' },
];

const plainKey =
  (attribute: string) =>
  (row: Record<string, unknown>): string =>
    String(row[attribute]);

export const suppliersSpec: TreeSpec = {
  name: 'suppliers',
  attributes: supplierAttributes,
  primaryKey: 'SupplierId',
  itemKey: plainKey('SupplierId'),
  keys: 'sequence',
  firstId: 300000047700001,
  children: [
    {
      name: 'sites',
      attributes: siteAttributes,
      primaryKey: 'SupplierSiteId',
      itemKey: plainKey('SupplierSiteId'),
      keys: 'sequence',
      firstId: 300000047710001,
      children: [],
    },
    {
      name: 'addresses',
      attributes: addressAttributes,
      primaryKey: 'SupplierAddressId',
      itemKey: plainKey('SupplierAddressId'),
      keys: 'sequence',
      firstId: 300000047720001,
      children: [],
    },
    {
      name: 'contacts',
      attributes: contactAttributes,
      primaryKey: 'SupplierContactId',
      itemKey: plainKey('SupplierContactId'),
      keys: 'sequence',
      firstId: 300000047730001,
      children: [],
    },
  ],
};

/** One seeded supplier: what invoices and purchase orders refer to as well. */
export interface SupplierProfile {
  name: string;
  number: string;
  site: string;
  country: string;
  city: string;
  bu: string;
}

/** Edge cases on purpose: commas, quotes, an apostrophe, non-ASCII, an inactive and a prospect. */
export const SUPPLIER_PROFILES: SupplierProfile[] = [
  {
    name: 'Northwind Components Inc',
    number: '1288',
    site: 'NW-CHICAGO',
    country: 'US',
    city: 'Chicago',
    bu: 'US1 Business Unit',
  },
  {
    name: 'Contoso Office Supply',
    number: '1301',
    site: 'CONTOSO-SEA',
    country: 'US',
    city: 'Seattle',
    bu: 'US1 Business Unit',
  },
  {
    name: 'Acme "Quick" Parts, Inc.',
    number: '1302',
    site: 'ACME-DAL',
    country: 'US',
    city: 'Dallas',
    bu: 'US1 Business Unit',
  },
  {
    name: 'Müller & Söhne GmbH',
    number: '1410',
    site: 'MUELLER-MUC',
    country: 'DE',
    city: 'München',
    bu: 'DE1 Business Unit',
  },
  {
    name: '株式会社サクラ精機',
    number: '1520',
    site: 'SAKURA-TYO',
    country: 'JP',
    city: '東京',
    bu: 'JP1 Business Unit',
  },
  {
    name: 'Al-Kuwait Trading Co.',
    number: '1610',
    site: 'ALKUWAIT-KWI',
    country: 'KW',
    city: 'Kuwait City',
    bu: 'KW1 Business Unit',
  },
  {
    name: 'Fabrikam Logistics Ltd',
    number: '1702',
    site: 'FAB-LON',
    country: 'GB',
    city: 'London',
    bu: 'UK1 Business Unit',
  },
  {
    name: "O'Reilly Freight LLC",
    number: '1703',
    site: 'OREILLY-BOS',
    country: 'US',
    city: 'Boston',
    bu: 'US1 Business Unit',
  },
  {
    name: 'Litware Consulting',
    number: '1704',
    site: 'LITWARE-NYC',
    country: 'US',
    city: 'New York',
    bu: 'US1 Business Unit',
  },
  {
    name: 'Blue Yonder Airlines',
    number: '1705',
    site: 'BLUEY-DEN',
    country: 'US',
    city: 'Denver',
    bu: 'US1 Business Unit',
  },
  {
    name: 'Tailspin Toys',
    number: '1706',
    site: 'TAILSPIN-SFO',
    country: 'US',
    city: 'San Francisco',
    bu: 'US1 Business Unit',
  },
  {
    name: 'Wide World Importers',
    number: '1707',
    site: 'WWI-MIA',
    country: 'US',
    city: 'Miami',
    bu: 'US1 Business Unit',
  },
];

const HOUR = 3_600_000;

function supplierSeed(p: SupplierProfile, i: number, baseTime: number): NewRow {
  const created = baseTime - 400 * 24 * HOUR + i * 24 * HOUR;
  // Suppliers 5 and 6 share a LastUpdateDate: paging needs the SupplierId tiebreak.
  const updated = baseTime + (i === 6 ? 5 : i) * 2 * HOUR + 15 * 60_000;
  const inactive = p.number === '1705';
  const sites: NewRow[] = [
    {
      SupplierSite: p.site,
      ProcurementBU: p.bu,
      SupplierAddressName: `${p.city} HQ`,
      SitePurposePurchasingFlag: true,
      SitePurposePayFlag: true,
      PayOnReceiptFlag: i % 4 === 0,
      InactiveDate: inactive ? '2026-09-30' : null,
      LastUpdateDate: updated,
    },
  ];
  if (i % 3 === 0) {
    sites.push({
      SupplierSite: `${p.site}-PAY`,
      ProcurementBU: p.bu,
      SupplierAddressName: `${p.city} Remit`,
      SitePurposePurchasingFlag: false,
      SitePurposePayFlag: true,
      PayOnReceiptFlag: false,
      InactiveDate: null,
      LastUpdateDate: updated - HOUR,
    });
  }
  const addresses: NewRow[] = [
    {
      AddressName: `${p.city} HQ`,
      AddressLine1: `${100 + i * 7} ${i % 2 ? 'Main Street' : 'Industrial Way, Unit 4'}`,
      AddressLine2: i % 3 === 1 ? 'Building "B", 2nd floor' : null,
      City: p.city,
      State: p.country === 'US' ? ['IL', 'WA', 'TX', 'MA', 'NY', 'CO', 'CA', 'FL'][i % 8] : null,
      PostalCode: p.country === 'US' ? String(60601 + i * 111) : p.country === 'GB' ? 'EC1A 1BB' : null,
      Country: p.country,
      LastUpdateDate: updated,
    },
  ];
  const contacts: NewRow[] =
    i % 4 === 3
      ? []
      : [
          {
            FirstName: ['Dana', 'Jürgen', 'Siobhán', 'Kenji', 'Amal', 'Chris'][i % 6],
            LastName: ['Lee', 'Groß', "O'Neil", '佐藤', 'Al-Sabah', 'Smith, Jr.'][i % 6],
            Email: `ap${i}@supplier${p.number}.example.com`,
            PhoneNumber: i % 2 ? '+1 312 555 0100' : null,
            LastUpdateDate: updated,
          },
        ];
  return {
    Supplier: p.name,
    SupplierNumber: p.number,
    Status: inactive ? 'INACTIVE' : 'ACTIVE',
    BusinessRelationship: p.number === '1706' ? 'PROSPECTIVE' : 'SPEND_AUTHORIZED',
    TaxOrganizationType: ['CORPORATION', 'PARTNERSHIP', 'FOREIGN_CORPORATION'][i % 3],
    SupplierType: i % 2 ? 'Services' : 'Supplier',
    TaxpayerId: i % 5 === 4 ? null : `${36 + i}-${4412987 + i * 13}`,
    TaxpayerCountry: p.country,
    DUNSNumber: i % 2 ? null : String(150483782 + i),
    AlternateName: p.number === '1707' ? 'WWI\nImports & Exports' : null,
    InactiveDate: inactive ? '2026-09-30' : null,
    CreationDate: created,
    LastUpdateDate: updated,
    sites,
    addresses,
    contacts,
  };
}

export function createSupplierStore(policy: ChangePolicy, clock: () => number, baseTime: number): TreeStore {
  const store = new TreeStore(suppliersSpec, policy, clock);
  SUPPLIER_PROFILES.forEach((p, i) => {
    store.create(supplierSeed(p, i, baseTime));
  });
  return store;
}
