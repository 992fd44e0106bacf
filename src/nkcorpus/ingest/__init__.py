"""Files -> normalized text -> passages.

``scan`` finds a corpus's files (stat only); ``read`` extracts each format,
repairs the text and cuts it into passages. Nothing here knows of analysis
or of the index.
"""
