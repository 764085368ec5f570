/** A `$6$` hash of `dlrn-password` (1,000 rounds, so specs stay fast), as DLRN's passlib writes one. */
export const SHA512_CRYPT =
  '$6$rounds=1000$Ab3Cd4Ef5Gh6Ij7K$CTrvNjCWWHApng5193lNwvOkgLLFJfSs39fbVbEgq9ZAc0v7cknQ/M9soLiykkjn9JeAEXBTMiCo8WW0/27N/0';
