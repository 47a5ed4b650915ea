import { describe, expect, it } from 'vitest';
import { streetQuery } from '../src/features/intake/addressQuery.ts';

describe('streetQuery: the street part of a typed address', () => {
  it.each([
    ['đường Yersin, Phú Cường', 'đường Yersin'],
    ['12 Yersin, Phú Cường, Thủ Dầu Một', 'Yersin'],
    ['số 12A đường Yersin', 'đường Yersin'],
    ['So 5 Lang Ha', 'Lang Ha'],
    ['123-125 Đại lộ Bình Dương', 'Đại lộ Bình Dương'],
    ['12/3 Trần Văn Ơn; khu 3', 'Trần Văn Ơn'],
    ['Ngõ 12 Láng Hạ', 'Ngõ 12 Láng Hạ'],
    ['Boulevard Albert 1er', 'Boulevard Albert 1er'],
    ['30/4', '30/4'],
    ['', ''],
  ])('%s → %s', (address, q) => expect(streetQuery(address)).toBe(q));
});
