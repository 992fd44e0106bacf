from nkcorpus.commands import main

main()
