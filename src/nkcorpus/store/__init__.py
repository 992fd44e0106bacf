"""Index storage, engine-neutral: where a corpus's index lives, its
generations, manifest, lock, freshness and checksums; building and updating
it from a corpus's passages; reading it fresh. The engine itself (Whoosh)
sits behind ``backend`` in ``store/whoosh/``.

``layout``     index folder, CURRENT, generations, tidying
``lock``       the writer lock
``manifest``   files indexed, the journal, change sets, versions
``freshness``  the one-scan up-to-date check
``integrity``  checksums of a generation's files
``update``     build / update under the lock
``read``       read an up-to-date index, rebuilding a damaged one
``status``     what an index holds, for ``nkcorpus status``
"""
