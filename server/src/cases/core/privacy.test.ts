import { describe, expect, it } from 'vitest';
import type { Actor } from './machine.ts';
import { type ContactFacts, canSeeContact, contactFor, maskName, maskPhone } from './privacy.ts';

describe('maskName', () => {
  it.each([
    ['张三', '张*'],
    ['张', '张*'],
    ['欧阳娜娜', '欧***'],
    [' 王小明 ', '王**'],
    ['Li Lei', 'L*****'],
    ['', ''],
  ])('%s → %s', (name, masked) => expect(maskName(name)).toBe(masked));
});

describe('maskPhone', () => {
  it.each([
    ['13812341234', '138****1234'],
    ['138-1234-1234', '138****1234'],
    ['029-87654321', '*******4321'],
    ['110', '***'],
    ['', ''],
  ])('%s → %s', (phone, masked) => expect(maskPhone(phone)).toBe(masked));
});

const facts: ContactFacts = {
  unitId: 'centre:c01',
  assigneeId: 'go-1',
  coUnitIds: ['dept:fire'],
  handlerIds: ['h-2'],
  participantIds: ['disp'],
};
const who = (id: string, unitId: string | null = null): Actor => ({ id, roles: ['handler'], unitId });

describe('canSeeContact', () => {
  it.each([
    ['the assignee', who('go-1'), true],
    ['a handler', who('h-2'), true],
    ['the dispatcher who acted on it', who('disp'), true],
    ['a member of the lead unit', who('x', 'centre:c01'), true],
    ['a member of a co-handling unit', who('y', 'dept:fire'), true],
    ['an officer of another street', who('officer-s02', 'centre:s02'), false],
    ['a user without a unit who never acted', who('wall'), false],
  ])('%s: %s', (_, actor, visible) => expect(canSeeContact(actor, facts)).toBe(visible));
});

describe('contactFor', () => {
  const contact = { name: '张三', phone: '13812341234' };
  it('handlers see the contact in full', () => {
    expect(contactFor(who('go-1'), facts, contact)).toEqual({ ...contact, masked: false });
  });
  it('others see it masked; absent fields stay absent', () => {
    expect(contactFor(who('wall'), facts, contact)).toEqual({
      name: '张*',
      phone: '138****1234',
      masked: true,
    });
    expect(contactFor(who('wall'), facts, { name: null, phone: '13812341234' })).toEqual({
      name: null,
      phone: '138****1234',
      masked: true,
    });
  });
});
