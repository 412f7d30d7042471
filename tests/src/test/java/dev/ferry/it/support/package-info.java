/**
 * What the end-to-end tests share: an in-process ferryd on a free loopback port with a fixed set of
 * users ({@link dev.ferry.it.support.FerrydFixture}), real client programs run as subprocesses
 * ({@link dev.ferry.it.support.Proc}, {@link dev.ferry.it.support.OpenSsh}), and the rule that a
 * missing client fails under {@code CI=true} instead of skipping ({@link dev.ferry.it.support.Peers}).
 */
package dev.ferry.it.support;
