import { AddressThrottle } from './address-throttle';

describe('AddressThrottle', () => {
  it('lets an address fail up to the limit per minute, then asks it to wait until the oldest failure is a minute old', () => {
    let now = 1_000_000;
    const throttle = new AddressThrottle(3, () => now);
    for (let i = 0; i < 3; i++) {
      expect(throttle.retryAfter('10.0.0.1')).toBe(0);
      throttle.fail('10.0.0.1');
      now += 10_000;
    }
    expect(throttle.retryAfter('10.0.0.1')).toBe(30); // first failure at t0, now t0+30 s
    expect(throttle.retryAfter('10.0.0.2')).toBe(0); // another address is not affected
    now += 30_001;
    expect(throttle.retryAfter('10.0.0.1')).toBe(0);
  });
});
