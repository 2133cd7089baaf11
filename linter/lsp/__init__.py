"""TODO lsp"""
