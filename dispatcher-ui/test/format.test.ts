import { describe, expect, it } from 'vitest';
import { AUTO_ASSIGN_SKIPS, CATEGORIES, INCIDENT_STATES, UNIT_STATUSES } from '@lifeline/protocol';
import { en, vi } from '../src/i18n/dict.ts';
import { formatEta, formatKm, translate } from '../src/i18n/format.ts';
import { isValidPhone, parseLatLng } from '../src/features/intake/location.ts';

describe('formatting for the locale', () => {
  it.each([
    [0, '00:00'],
    [59.6, '01:00'],
    [425, '07:05'],
    [3599, '59:59'],
    [3725, '1:02:05'],
  ])('ETA %s s → %s', (sec, text) => {
    expect(formatEta('vi', sec)).toBe(text);
    expect(formatEta('en', sec)).toBe(text);
  });

  it('distance in km with the locale decimal mark', () => {
    expect(formatKm('vi', 3240)).toBe('3,2 km');
    expect(formatKm('en', 3240)).toBe('3.2 km');
  });

  it('fills placeholders', () => {
    expect(translate('en', 'assign.ok', { unit: 'BD-01', number: '12' })).toBe('Assigned BD-01 to incident #12.');
    expect(translate('vi', 'assign.ok', { unit: 'BD-01', number: '12' })).toBe('Đã phân công BD-01 cho sự cố #12.');
  });

  it('translates a message inside a message (a reason in a sentence) in the same language', () => {
    const why = { key: 'auto.why.eta_too_long' as const };
    expect(translate('en', 'auto.skipped', { number: '7', why })).toBe('Incident #7 was not assigned automatically: the nearest unit is too far.');
    expect(translate('vi', 'auto.skipped', { number: '7', why })).toBe('Sự cố #7 không được tự động phân công: xe gần nhất quá xa.');
  });

  it('every auto-assign reason the server may give has a label in both languages', () => {
    for (const d of [vi, en] as Record<string, string>[]) for (const s of AUTO_ASSIGN_SKIPS) expect(d[`auto.why.${s}`], s).toBeTruthy();
  });

  it('every status, state and category has a label in both languages', () => {
    for (const d of [vi, en] as Record<string, string>[]) {
      for (const s of UNIT_STATUSES) expect(d[`status.${s}`]).toBeTruthy();
      for (const s of INCIDENT_STATES) expect(d[`state.${s}`]).toBeTruthy();
      for (const c of CATEGORIES) expect(d[`category.${c}`]).toBeTruthy();
    }
    expect(Object.keys(en).sort()).toEqual(Object.keys(vi).sort());
  });
});

describe('typed call location', () => {
  it.each([
    ['10.98, 106.65', { lat: 10.98, lng: 106.65 }],
    ['10.98 106.65', { lat: 10.98, lng: 106.65 }],
    [' -1.5;  2 ', { lat: -1.5, lng: 2 }],
    ['10,98, 106,65', null],
    ['91, 10', null],
    ['10.98', null],
    ['', null],
  ])('%j → %j', (text, p) => expect(parseLatLng(text)).toEqual(p));

  it('phone numbers as the server accepts them', () => {
    expect(isValidPhone('0901 234 567')).toBe(true);
    expect(isValidPhone('+84 (90) 123-4567')).toBe(true);
    expect(isValidPhone('12')).toBe(false);
    expect(isValidPhone('abc')).toBe(false);
  });
});
