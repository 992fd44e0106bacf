"""The Whoosh backend: every import of Whoosh lives in this folder.

``schema`` (fields and the tokenizer adapter), ``backend`` (writers and
readers of a generation), ``compile`` (query plan -> Whoosh query),
``dismax`` (a correct dis_max), ``pool`` and ``parallel`` (fast full builds),
``leanimport`` (Whoosh without the modules it never needs).
"""
