import sys

from tests.stand_ins import main

main(sys.argv[1:])
