// A home LP helper that dies as it starts, before it answers anything, as a thread that crashed would.
throw new Error('the helper broke');
