from nkcorpus.cli import main

main()
