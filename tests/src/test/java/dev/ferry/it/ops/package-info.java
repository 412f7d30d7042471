/**
 * ferryd run as an operator runs it: its config file, reload and graceful stop, quotas and rates,
 * metrics and the event hook, the distribution archive.
 */
package dev.ferry.it.ops;
