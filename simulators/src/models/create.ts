import type { SimDevice } from '../fleet/types.ts';
import { createRng } from '../rng.ts';
import { CameraModel } from './camera.ts';
import { ChargerModel } from './charger.ts';
import { LockerModel } from './locker.ts';
import type { DeviceModel } from './model.ts';

/** The model for a device; `seed` and the device id fix its random stream. */
export function createModel(device: SimDevice, seed: number): DeviceModel {
  const rng = createRng(`${seed}:${device.id}`);
  switch (device.kind) {
    case 'camera':
      return new CameraModel(device, rng);
    case 'charger':
      return new ChargerModel(device, rng);
    case 'locker':
      return new LockerModel(device, rng);
  }
}
