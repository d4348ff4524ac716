// The shapes of the API's answers that the pages read (adapters/http/api/openapi.json is the
// reference; only the fields the pages use are named here).

export interface Me {
  person: string;
  org: string;
  admin: boolean;
  name?: string;
  unit?: string;
  unit_name?: string;
  roles?: string[];
  language?: string;
  via: 'session' | 'token';
  csrf_token?: string;
  expires_at?: string;
}

export interface ItemSummary {
  id: string;
  title: string;
  unit: string;
  unit_name?: string;
  state: string;
  found_by?: string | null; // how it was found (inspection, public_report, ...), null for none
  due?: string | null;
  overdue?: boolean;
  escalation_level?: number;
  version: number | string;
  working_days_left?: number | null;
  [key: string]: unknown;
}

export interface ItemPage {
  items: ItemSummary[];
  next_cursor?: string | null;
}

export interface EventField {
  name: string;
  type?: string;
  required?: boolean;
  [key: string]: unknown;
}

export interface AllowedEvent {
  event: string;
  name?: string;
  title?: string;
  to?: string;
  fields?: EventField[];
  [key: string]: unknown;
}
