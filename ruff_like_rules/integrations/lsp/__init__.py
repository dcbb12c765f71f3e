"""``paraminit server``: the language server (``server``) and the document text it keeps (``text``)."""
