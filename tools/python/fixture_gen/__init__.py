"""The bundled fixture tapes (fixtures/): their AWS shapes (shapes), the tape-file form (tape), the
scenarios (scenarios) and the validation of any folder of tape files (validate). Standard library only;
tools/generate_fixtures.py is the command line."""
