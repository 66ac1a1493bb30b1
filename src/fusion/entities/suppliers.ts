import type { SupplierRecord } from '../../shared/records';
import type { Raw } from '../documents';
import { FieldReader, latestUpdate } from '../fields';
import { label, mapOne, versionOf } from './map';
import type { EntityReader } from './types';

// Suppliers: one record per supplier with its sites, addresses and contacts.

export function toSupplierRecord(doc: Raw): SupplierRecord {
  const r = new FieldReader(label(doc.SupplierId));
  return {
    recordId: r.id(doc, 'SupplierId'),
    version: latestUpdate(r, doc, [['sites'], ['addresses'], ['contacts']]),
    supplierId: r.id(doc, 'SupplierId'),
    supplier: r.required(doc, 'Supplier'),
    supplierNumber: r.required(doc, 'SupplierNumber'),
    status: r.text(doc, 'Status'),
    businessRelationship: r.text(doc, 'BusinessRelationship'),
    taxOrganizationType: r.text(doc, 'TaxOrganizationType'),
    taxpayerId: r.text(doc, 'TaxpayerId'),
    dunsNumber: r.text(doc, 'DUNSNumber'),
    sites: r.rows(doc, 'sites').map((site, i) => {
      const s = r.at(`sites[${i}].`);
      return {
        supplierSiteId: s.id(site, 'SupplierSiteId'),
        supplierSite: s.required(site, 'SupplierSite'),
        procurementBU: s.text(site, 'ProcurementBU'),
        supplierAddressName: s.text(site, 'SupplierAddressName'),
        purchasing: s.flag(site, 'SitePurposePurchasingFlag'),
        pay: s.flag(site, 'SitePurposePayFlag'),
        inactiveDate: s.date(site, 'InactiveDate'),
      };
    }),
    addresses: r.rows(doc, 'addresses').map((address, i) => {
      const a = r.at(`addresses[${i}].`);
      return {
        supplierAddressId: a.id(address, 'SupplierAddressId'),
        addressName: a.required(address, 'AddressName'),
        addressLine1: a.text(address, 'AddressLine1'),
        addressLine2: a.text(address, 'AddressLine2'),
        city: a.text(address, 'City'),
        state: a.text(address, 'State'),
        postalCode: a.text(address, 'PostalCode'),
        country: a.text(address, 'Country'),
      };
    }),
    contacts: r.rows(doc, 'contacts').map((contact, i) => {
      const c = r.at(`contacts[${i}].`);
      return {
        supplierContactId: c.id(contact, 'SupplierContactId'),
        firstName: c.text(contact, 'FirstName'),
        lastName: c.text(contact, 'LastName'),
        email: c.text(contact, 'Email'),
        phone: c.text(contact, 'PhoneNumber'),
      };
    }),
  };
}

export const suppliersReader: EntityReader<'suppliers'> = {
  entity: 'suppliers',
  spec: {
    resource: 'suppliers',
    key: 'SupplierId',
    children: [{ name: 'sites' }, { name: 'addresses' }, { name: 'contacts' }],
  },
  toRecords: (doc) => [mapOne(label(doc.SupplierId), versionOf(doc), doc, () => toSupplierRecord(doc))],
};
