package bot

// HomeRecheck is homeRecheck, for tests.
const HomeRecheck = homeRecheck
