export { optional, requireAll } from './optional.ts';
export { isExecutable, which } from './which.ts';
export { CHROMIUM, CHROMIUM_HINT, findChromium, launchChromium, launchChromiumContext, noChromium } from './chromium.ts';
export { GPSD_BIN, MOSQUITTO_BIN, REDIS_SERVER_BIN, noGpsd, noMosquitto, noPython, noRedisServer, noServiceAt, tcpOpen } from './services.ts';
